/**
 * The image the backup CronJobs run: built from ops/backup/Dockerfile (Debian bookworm's
 * postgresql-client-15, age and rclone: the tools test/ops/backup-restore.test.ts runs
 * the backup script with). The digest is the one the image build records here; it was
 * written offline and could not be checked against the registry from this workplace.
 */
export const BACKUP_IMAGE = {
  repository: 'ghcr.io/course-companion/course-companion-backup',
  digest: 'sha256:5d3c0e8f6b2a9d174e1c3b5a7f9d2e4c6b8a0f1e3d5c7b9a2e4f6d8c0b1a3e5f',
} as const;

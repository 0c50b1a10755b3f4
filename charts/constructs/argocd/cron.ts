/**
 * robfig/cron as Argo CD reads a sync window: the code lives with the app
 * (app/src/maintenance/cron.ts), which computes the same maintenance window for its
 * 48-hour notice (issue 17, item 3). One copy, read by both halves.
 */
export * from '../../../app/src/maintenance/cron';

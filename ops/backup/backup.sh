#!/usr/bin/env bash
# Course Companion database backups: dump → encrypt → upload → prune, and the way back.
#
# The same file runs in three places, so what the tests prove is what production runs:
#   - the `backup` and `backup-weekly` CronJobs (mounted from the ConfigMap that the chart
#     generates from this file),
#   - an operator's shell, for a restore (see docs/backup-restore.md),
#   - test/ops/backup-restore.test.ts, against the real PostgreSQL server.
#
# Usage:
#   backup.sh backup                      dump, encrypt, upload to daily/, keep the newest $BACKUP_KEEP_DAILY
#   backup.sh weekly                      copy the newest daily object to weekly/, keep the newest $BACKUP_KEEP_WEEKLY
#   backup.sh list [daily|weekly]         list stored objects, oldest first
#   backup.sh restore <object|latest> <target-database-url>
#                                         download, decrypt with $AGE_IDENTITY_FILE, pg_restore into an EMPTY database
#
# Environment:
#   DATABASE_URL          the database to dump (backup only)
#   BACKUP_RECIPIENT      age public key ("age1…"); only the public half is ever in the cluster
#   AGE_IDENTITY_FILE     age private key file (restore only; kept offline by the operators)
#   BACKUP_REMOTE         rclone remote and path that holds the backups, e.g. "offsite:course-companion-backups/production".
#                         The remote itself is configured by RCLONE_CONFIG_OFFSITE_* variables (S3 provider
#                         Cloudflare in the cluster, a local directory in tests).
#   BACKUP_KEEP_DAILY     daily objects kept (default 30)
#   BACKUP_KEEP_WEEKLY    weekly objects kept (default 26)
#   BACKUP_WORK_DIR       scratch directory for the ciphertext before upload (default $TMPDIR or /tmp)
#
# Objects are named <prefix>/course-companion-<UTC timestamp>.dump.age, so lexical order is time order.
set -euo pipefail

readonly OBJECT_PREFIX="course-companion-"
readonly OBJECT_SUFFIX=".dump.age"

log() { printf '%s backup: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }
fail() { log "error: $*"; exit 1; }

require_env() {
  local name
  for name in "$@"; do
    [[ -n "${!name:-}" ]] || fail "$name is not set"
  done
}

# Lines of rclone's --files-only listing: names only, one per line, in time order.
list_objects() {
  local kind="$1" listing status=0
  listing="$(rclone lsf --files-only --include "${OBJECT_PREFIX}*${OBJECT_SUFFIX}" "${BACKUP_REMOTE}/${kind}/")" || status=$?
  # rclone exits 3 for "directory not found": nothing stored under that prefix yet.
  [[ $status -eq 3 ]] && return 0
  [[ $status -eq 0 ]] || fail "cannot list ${BACKUP_REMOTE}/${kind}/ (rclone exit ${status})"
  [[ -z "$listing" ]] || printf '%s\n' "$listing" | LC_ALL=C sort
}

# pg_dump in custom format: compressed, restorable table by table, and pg_restore can
# read it from a pipe. No owners or grants: the restore target has its own roles.
dump_database() {
  pg_dump --format=custom --no-owner --no-privileges --dbname="$1"
}

encrypt_stream() { age --encrypt --recipient "$1"; }

decrypt_stream() { age --decrypt --identity "$1"; }

restore_database() {
  pg_restore --no-owner --no-privileges --exit-on-error --single-transaction --dbname="$1"
}

# Keep the newest $2 objects under $1/, delete the rest. By count, not by age: if backups
# stop for a month, pruning never eats the last good copies.
prune() {
  local kind="$1" keep="$2" doomed
  doomed="$(list_objects "$kind" | head -n "-${keep}")"
  [[ -n "$doomed" ]] || return 0
  log "pruning $(wc -l <<<"$doomed") ${kind} objects beyond the newest ${keep}: $(tr '\n' ' ' <<<"$doomed")"
  # One rclone call for the whole list: a call per object costs a second each.
  rclone delete --files-from-raw - "${BACKUP_REMOTE}/${kind}/" <<<"$doomed"
}

cmd_backup() {
  require_env DATABASE_URL BACKUP_RECIPIENT BACKUP_REMOTE
  local stamp name work
  stamp="$(date -u +%Y%m%dT%H%M%SZ)"
  name="${OBJECT_PREFIX}${stamp}${OBJECT_SUFFIX}"
  work="$(mktemp -d "${BACKUP_WORK_DIR:-${TMPDIR:-/tmp}}/backup.XXXXXX")"
  # shellcheck disable=SC2064 # expand now: $work is local and gone by the time EXIT fires
  trap "rm -rf '${work}'" EXIT
  # Only ciphertext touches the disk: the plaintext dump exists only inside the pipe.
  log "dumping and encrypting to ${name}"
  dump_database "$DATABASE_URL" | encrypt_stream "$BACKUP_RECIPIENT" >"${work}/${name}"
  [[ -s "${work}/${name}" ]] || fail "the encrypted dump is empty"
  # copyto compares size and checksum after the upload and fails when they differ, so a
  # zero exit (and with it kube_cronjob_status_last_successful_time) means a stored copy.
  log "uploading $(wc -c <"${work}/${name}") bytes to daily/${name}"
  rclone copyto "${work}/${name}" "${BACKUP_REMOTE}/daily/${name}"
  prune daily "${BACKUP_KEEP_DAILY:-30}"
  log "done: daily/${name}"
}

cmd_weekly() {
  require_env BACKUP_REMOTE
  local newest
  newest="$(list_objects daily | tail -n 1)"
  [[ -n "$newest" ]] || fail "no daily backup in ${BACKUP_REMOTE}/daily/ to keep as this week's copy"
  log "copying daily/${newest} to weekly/"
  # Server-side copy on S3/R2: the ciphertext never leaves the bucket.
  rclone copyto "${BACKUP_REMOTE}/daily/${newest}" "${BACKUP_REMOTE}/weekly/${newest}"
  prune weekly "${BACKUP_KEEP_WEEKLY:-26}"
  log "done: weekly/${newest}"
}

cmd_list() {
  require_env BACKUP_REMOTE
  local kinds=("$@") kind
  [[ ${#kinds[@]} -gt 0 ]] || kinds=(daily weekly)
  for kind in "${kinds[@]}"; do
    list_objects "$kind" | sed "s|^|${kind}/|"
  done
}

# Resolve "latest" or a bare name to "<kind>/<name>".
resolve_object() {
  local wanted="$1" newest
  if [[ "$wanted" == latest ]]; then
    newest="$(list_objects daily | tail -n 1)"
    [[ -n "$newest" ]] || fail "no daily backup in ${BACKUP_REMOTE}/daily/"
    printf 'daily/%s\n' "$newest"
  elif [[ "$wanted" == daily/* || "$wanted" == weekly/* ]]; then
    printf '%s\n' "$wanted"
  else
    fail "object must be 'latest', 'daily/<name>' or 'weekly/<name>', got '${wanted}'"
  fi
}

# Refuse to restore over data: a restore goes into a new, empty database, and an operator
# switches DATABASE_URL only after checking it.
require_empty_database() {
  local tables
  tables="$(psql --no-psqlrc --tuples-only --no-align --dbname="$1" --command \
    "select count(*) from pg_tables where schemaname not in ('pg_catalog', 'information_schema')")" \
    || fail "cannot connect to the restore target"
  [[ "$tables" == 0 ]] || fail "the restore target already holds ${tables} tables; restore into a new, empty database"
}

cmd_restore() {
  [[ $# -eq 2 ]] || fail "usage: backup.sh restore <object|latest> <target-database-url>"
  require_env BACKUP_REMOTE AGE_IDENTITY_FILE
  [[ -r "$AGE_IDENTITY_FILE" ]] || fail "AGE_IDENTITY_FILE ${AGE_IDENTITY_FILE} is not a readable file"
  local object target="$2"
  object="$(resolve_object "$1")"
  require_empty_database "$target"
  log "restoring ${object}"
  rclone cat "${BACKUP_REMOTE}/${object}" | decrypt_stream "$AGE_IDENTITY_FILE" | restore_database "$target"
  log "done: ${object} restored"
}

main() {
  local command="${1:-}"
  shift || true
  case "$command" in
    backup) cmd_backup "$@" ;;
    weekly) cmd_weekly "$@" ;;
    list) cmd_list "$@" ;;
    restore) cmd_restore "$@" ;;
    *) fail "unknown command '${command}'; expected backup, weekly, list or restore" ;;
  esac
}

main "$@"

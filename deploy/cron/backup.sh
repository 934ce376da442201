#!/bin/sh
# A nightly backup with retention, run by cron (deploy/cron/kabinet-backup): `kabinet backup` into BACKUP_DIR under a
# dated name, then backups older than KEEP_DAYS days are deleted, but only after tonight's was written (set -e).
# SQLite: an online copy by SQLite's backup API (the portal keeps running); PostgreSQL: pg_dump --format=custom.
# Copy BACKUP_DIR off the machine too (rsync, restic …): a backup on the same disk dies with it.
#   install -m 755 deploy/cron/backup.sh /usr/local/sbin/kabinet-backup
set -eu
BACKUP_DIR=${BACKUP_DIR:-/var/backups/kabinet}
KEEP_DAYS=${KEEP_DAYS:-14}
KABINET=${KABINET:-/usr/local/bin/kabinet}
ENV_FILE=${KABINET_ENV_FILE:-/etc/kabinet/kabinet.env}
RUN_AS=${KABINET_USER:-kabinet}

case "$KEEP_DAYS" in ''|*[!0-9]*|0) echo "kabinet-backup: KEEP_DAYS must be a whole number of days, 1 or more, not '$KEEP_DAYS'" >&2; exit 1 ;; esac
ext=sqlite
if grep -Eq '^[[:space:]]*DATABASE_URL=postgres(ql)?://' "$ENV_FILE" 2>/dev/null; then ext=dump; fi

install -d -m 750 -o "$RUN_AS" -g "$RUN_AS" "$BACKUP_DIR"
file="$BACKUP_DIR/kabinet-$(date -u +%Y-%m-%dT%H-%M-%SZ).$ext"
"$KABINET" backup "$file"
# Whole days: a file written KEEP_DAYS × 24 hours ago or earlier goes; tonight's is never among them.
find "$BACKUP_DIR" -maxdepth 1 -type f -name "kabinet-*.$ext" -mmin +$((KEEP_DAYS * 1440 - 60)) -print -delete

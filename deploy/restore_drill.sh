#!/usr/bin/env bash
# The restore drill of docs/backups.md: a scratch PostgreSQL database migrated and seeded (the
# demo data and DRILL_INQUIRIES synthetic inquiries with their mail), backed up with pg_dump in
# its custom format, restored with pg_restore into a second database, every table's rows
# counted in both, and the portal run against the copy; then the same for SQLite with
# `.backup`. Exits non-zero when anything differs.
#
#   deploy/restore_drill.sh                      # PostgreSQL on 127.0.0.1:5432 as postgres
#   PGHOST=db PGUSER=me DRILL_INQUIRIES=5000 deploy/restore_drill.sh
#
# It creates, and drops at the end (unless DRILL_KEEP=1), the databases it names; they must be
# called portal_drill_*, so that it never touches a database it did not make.
set -euo pipefail
cd "$(dirname "$0")/.."

export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
export PGOPTIONS="-c client_min_messages=warning"  # no NOTICE of dropdb --if-exists
SOURCE=${DRILL_SOURCE:-portal_drill_source}
TARGET=${DRILL_TARGET:-portal_drill_restored}
INQUIRIES=${DRILL_INQUIRIES:-1000}
FLASK=${FLASK:-.venv/bin/flask}
for name in "$SOURCE" "$TARGET"; do
  case "$name" in
    portal_drill_*) ;;
    *) echo "refusing database '$name': the drill only makes and drops portal_drill_*" >&2; exit 2 ;;
  esac
done

WORK=$(mktemp -d)
cleanup() {
  rm -rf "$WORK"
  if [ "${DRILL_KEEP:-}" != 1 ]; then
    dropdb --if-exists "$SOURCE" && dropdb --if-exists "$TARGET"
  fi
}
trap cleanup EXIT
# A key of the drill's own: production refuses to start without a strong one.
PORTAL_SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
export PORTAL_SECRET_KEY PORTAL_MAIL_DELIVER_INLINE=false
url() { echo "postgresql+psycopg://$PGUSER@$PGHOST:$PGPORT/$1"; }
portal() { local database=$1; shift; PORTAL_SQLALCHEMY_DATABASE_URI=$database "$FLASK" --app app "$@"; }
step() { printf '\n== %s\n' "$*"; }
# `flask db upgrade`, quiet unless it fails; then the revision it reached.
migrate() {
  portal "$1" db upgrade >"$WORK/upgrade.log" 2>&1 || { cat "$WORK/upgrade.log"; return 1; }
  echo "   migrated to $(portal "$1" db current 2>/dev/null)"
}
timed() { local start=$SECONDS; "$@"; echo "   ($((SECONDS - start)) s)"; }

# Every table's rows, one "table count" line each, in order.
pg_counts() {
  psql --no-psqlrc --quiet --tuples-only --no-align --field-separator=' ' --dbname "$1" --command "
    SELECT table_name,
           (xpath('/row/n/text()', query_to_xml(
             format('SELECT count(*) AS n FROM %I.%I', table_schema, table_name),
             false, true, '')))[1]::text
      FROM information_schema.tables
     WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
     ORDER BY table_name"
}
sqlite_counts() {
  sqlite3 "$1" "SELECT name FROM sqlite_master WHERE type = 'table'
                AND name NOT LIKE 'sqlite_%' ORDER BY name" |
    while read -r table; do echo "$table $(sqlite3 "$1" "SELECT count(*) FROM \"$table\"")"; done
}
# The two lists side by side; fails when they differ.
compare() {
  LC_ALL=C join -a1 -a2 -e missing -o 0,1.2,2.2 <(LC_ALL=C sort "$1") <(LC_ALL=C sort "$2") |
    awk 'BEGIN { printf "   %-28s %10s %10s\n", "table", "backed up", "restored" }
         { printf "   %-28s %10s %10s%s\n", $1, $2, $3, ($2 == $3 ? "" : "   <- differs") }
           $2 != $3 { bad = 1 }
         END { exit bad }'
}

echo "Restore drill, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(pg_dump --version), sqlite $(sqlite3 --version | cut -d' ' -f1)"

step "1. PostgreSQL: a scratch database '$SOURCE', migrated and seeded"
dropdb --if-exists "$SOURCE"
createdb "$SOURCE"
timed migrate "$(url "$SOURCE")"
timed portal "$(url "$SOURCE")" seed-demo --synthetic-inquiries "$INQUIRIES" | tail -n 2

step "2. Back it up: pg_dump --format=custom"
timed pg_dump --format=custom --file "$WORK/portal.dump" "$SOURCE"
echo "   $(du -h "$WORK/portal.dump" | cut -f1) in portal.dump," \
  "$(pg_restore --list "$WORK/portal.dump" | grep -c 'TABLE DATA') tables of data"

step "3. Restore it into a new database '$TARGET': pg_restore"
dropdb --if-exists "$TARGET"
createdb "$TARGET"
timed pg_restore --exit-on-error --no-owner --no-privileges --dbname "$TARGET" "$WORK/portal.dump"

step "4. Count every table's rows in both"
pg_counts "$SOURCE" >"$WORK/source.counts"
pg_counts "$TARGET" >"$WORK/restored.counts"
compare "$WORK/source.counts" "$WORK/restored.counts"

step "5. The portal on the restored copy: its schema, and a new row (the sequences came back too)"
echo "   schema: $(portal "$(url "$TARGET")" db current 2>/dev/null)"
portal "$(url "$TARGET")" staff add drill@example.org --name "Restore Drill" --role editor \
  --password "a drill password of some length"
portal "$(url "$TARGET")" staff list | grep -c @ | sed 's/^/   staff accounts: /'

step "6. SQLite: the same in a file, copied with .backup (safe while the portal writes)"
SQLITE="$WORK/portal.db"
migrate "sqlite:///$SQLITE"
portal "sqlite:///$SQLITE" seed-demo --synthetic-inquiries "$INQUIRIES" >/dev/null
timed sqlite3 "$SQLITE" ".backup '$WORK/portal-backup.db'"
echo "   integrity of the copy: $(sqlite3 "$WORK/portal-backup.db" 'PRAGMA integrity_check')"
sqlite_counts "$SQLITE" >"$WORK/sqlite.counts"
sqlite_counts "$WORK/portal-backup.db" >"$WORK/sqlite-backup.counts"
compare "$WORK/sqlite.counts" "$WORK/sqlite-backup.counts"
echo "   schema of the copy: $(portal "sqlite:///$WORK/portal-backup.db" db current 2>/dev/null)"

step "The drill passed: every table of both copies holds what the original held."

# shellcheck shell=bash disable=SC2154 # work, scimsync_pid come from pipeline.sh and the bench script
# What bench/replication-lag and bench/saturation share: each user's arrival in the target,
# noted by a trigger there, read back and waited for. Source it after bench/lib/pipeline.sh.

# Arrival times: one row per user the target received, written by a trigger in the target.
add_arrival_trigger() {
    case $1 in
        mysql)
            bench_sql portal <<'SQL'
CREATE TABLE arrivals (id INT UNSIGNED PRIMARY KEY, arrived_at DECIMAL(20, 6) NOT NULL) ENGINE = InnoDB;
CREATE TRIGGER portal_users_arrival AFTER INSERT ON portal_users FOR EACH ROW
    INSERT INTO arrivals VALUES (CAST(NEW.id AS UNSIGNED), UNIX_TIMESTAMP(SYSDATE(6)));
SQL
            ;;
        sqlite)
            # WAL, so that this script's reads of the file never block scimsync's commits (in
            # the default rollback-journal mode a reader makes a writer's COMMIT fail with
            # SQLITE_BUSY, which scimsync retries after a backoff of about half a second).
            sqlite3 "$work/portal.db" >/dev/null <<'SQL'
PRAGMA journal_mode = WAL;
CREATE TABLE arrivals (id INTEGER PRIMARY KEY, arrived_at REAL NOT NULL);
CREATE TRIGGER portal_users_arrival AFTER INSERT ON portal_users FOR EACH ROW BEGIN
    INSERT INTO arrivals VALUES (CAST(NEW.id AS INTEGER), (julianday('now') - 2440587.5) * 86400.0);
END;
SQL
            ;;
        postgres)
            bench_psql <<'SQL'
CREATE TABLE arrivals (id BIGINT PRIMARY KEY, arrived_at DOUBLE PRECISION NOT NULL);
GRANT ALL ON arrivals TO scimsync;
CREATE FUNCTION note_arrival() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO arrivals VALUES (NEW.id::bigint, extract(epoch FROM clock_timestamp()));
    RETURN NULL;
END $$;
CREATE TRIGGER portal_users_arrival AFTER INSERT ON portal_users FOR EACH ROW EXECUTE FUNCTION note_arrival();
SQL
            ;;
    esac
}

# Lines "id<TAB>unix seconds" of the arrivals with ids in [first, last].
arrivals() {
    local kind=$1 first=$2 last=$3
    case $kind in
        mysql) bench_sql portal -e "SELECT id, arrived_at FROM arrivals WHERE id BETWEEN $first AND $last" ;;
        sqlite) sqlite3 -cmd '.timeout 5000' -separator $'\t' "$work/portal.db" "SELECT id, printf('%.6f', arrived_at) FROM arrivals WHERE id BETWEEN $first AND $last" ;;
        postgres) bench_psql -c "SELECT id, round(arrived_at::numeric, 6) FROM arrivals WHERE id BETWEEN $first AND $last" ;;
    esac
}

arrived_count() {
    local kind=$1 first=$2 last=$3
    case $kind in
        mysql) bench_sql portal -e "SELECT COUNT(*) FROM arrivals WHERE id BETWEEN $first AND $last" ;;
        sqlite) sqlite3 -cmd '.timeout 2000' "$work/portal.db" "SELECT COUNT(*) FROM arrivals WHERE id BETWEEN $first AND $last" ;;
        postgres) bench_psql -c "SELECT COUNT(*) FROM arrivals WHERE id BETWEEN $first AND $last" ;;
    esac
}

# Waits until ids [first, last] have all arrived or `limit` seconds passed; prints the count.
# Exits when the scimsync of $scimsync_pid (pipeline $name) has exited, showing its log.
wait_arrived() {
    local kind=$1 first=$2 last=$3 limit=$4 count waited=0
    while :; do
        count=$(arrived_count "$kind" "$first" "$last")
        if ((count >= last - first + 1)) || ((waited >= limit * 4)); then
            printf '%s' "$count"
            return 0
        fi
        if ! kill -0 "$scimsync_pid" 2>/dev/null; then
            bench_log "scimsync exited; its log:"
            tail -n 20 "$work/$name-run.log" >&2
            exit 1
        fi
        sleep 0.25
        waited=$((waited + 1))
    done
}

json_field() {
    sed -n "s/.*\"$2\": *\"\{0,1\}\([^,\"}]*\).*/\1/p" <<<"$1"
}


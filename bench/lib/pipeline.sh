# shellcheck shell=bash disable=SC2154 # repo_root comes from the bench script that sources this
# What bench/replication-lag and bench/initial-load share: the release build of scimsync, a
# private MariaDB holding the source database `hr` (the seed layout of
# config/sql/mariadb-source.sql) and the target database `portal`, a scimsync configuration
# for a MariaDB or SQLite target with the portal layout of config/*.yaml, and process
# figures (CPU seconds, peak RSS) read from /proc.
#
# Source it from a bench script (bash, `set -euo pipefail`, $repo_root set), then call
# `bench_setup NAME`; it installs the EXIT trap that stops the server and removes its directory.

bench_log() {
    printf 'bench: %s\n' "$*" >&2
}

# Builds scimsync in release mode; sets $scimsync. SCIMSYNC_BIN (a scimsync binary) skips the
# build; SCIMSYNC_SCRATCH_PATH builds in another scratch directory than .build.
bench_build_scimsync() {
    if [[ -n "${SCIMSYNC_BIN:-}" ]]; then
        scimsync=$SCIMSYNC_BIN
        bench_log "using $scimsync (SCIMSYNC_BIN)"
        return 0
    fi
    local scratch=()
    [[ -n "${SCIMSYNC_SCRATCH_PATH:-}" ]] && scratch=(--scratch-path "$SCIMSYNC_SCRATCH_PATH")
    bench_log "building scimsync (release)"
    swift build -c release --product scimsync "${scratch[@]}" >&2
    scimsync="$(swift build -c release --product scimsync "${scratch[@]}" --show-bin-path)/scimsync"
}

# Starts the private MariaDB and creates the databases; sets $socket, $work, $mariadb_port,
# $mariadb_user, $mariadb_password.
bench_setup() {
    local name=$1
    # shellcheck source=SCRIPTDIR/../../scripts/lib/packages.sh
    source "$repo_root/scripts/lib/packages.sh"
    scimsync_install_missing_packages
    scimsync_require_swift
    bench_build_scimsync

    # shellcheck source=SCRIPTDIR/../../scripts/lib/servers.sh
    source "$repo_root/scripts/lib/servers.sh"
    SCIMSYNC_SERVERS_DIR=$(mktemp -d "${TMPDIR:-/tmp}/scimsync-$name.XXXXXX")
    chmod 755 "$SCIMSYNC_SERVERS_DIR"
    trap bench_stop EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    scimsync_start_mariadb
    work=$SCIMSYNC_SERVERS_DIR/bench
    mkdir -p "$work"
    socket=$SCIMSYNC_SERVERS_DIR/mariadb/mariadb.sock
    mariadb_port=$SCIMSYNC_MARIADB_PORT
    local url=${SCIMSYNC_TEST_MARIADB_URL#mysql://}
    mariadb_user=${url%%:*}
    local rest=${url#*:}
    mariadb_password=${rest%%@*}
    # Speed of the database, not of its disk: the same for the source, the target and the peer.
    bench_sql -e "SET GLOBAL innodb_flush_log_at_trx_commit = 2"
    bench_sql -e "CREATE DATABASE hr CHARACTER SET utf8mb4; CREATE DATABASE portal CHARACTER SET utf8mb4"
}

# Starts a private PostgreSQL beside the MariaDB (fsync off, as the test servers); sets
# $pg_port and $pg_password (of the role scimsync, owner of the database scimsync_test).
bench_start_postgres() {
    scimsync_start_postgres
    pg_port=$SCIMSYNC_PG_PORT
    local url=${SCIMSYNC_TEST_POSTGRES_URL#postgres://scimsync:}
    pg_password=${url%%@*}
}

# psql as the superuser on the database scimsync_test, unaligned, tuples only.
bench_psql() {
    scimsync_as_postgres "$SCIMSYNC_PG_BIN/psql" -X -q -A -t -F $'\t' -v ON_ERROR_STOP=1 \
        -h "$SCIMSYNC_SERVERS_DIR/postgres" -p "$pg_port" -U postgres -d scimsync_test "$@"
}

scimsync_pid=""

# Stops the scimsync this script started (by its pid), then the server.
bench_stop() {
    if [[ -n "$scimsync_pid" ]] && kill -0 "$scimsync_pid" 2>/dev/null; then
        kill -TERM "$scimsync_pid" 2>/dev/null || true
        wait "$scimsync_pid" 2>/dev/null || true
    fi
    scimsync_servers_stop
}

bench_sql() {
    mariadb --no-defaults --socket="$socket" -uroot --default-character-set=utf8mb4 -N -B "$@"
}

# The source tables of the seed layout, without the seed rows.
bench_source_tables() {
    sed '/^INSERT IGNORE/,$d' "$repo_root/config/sql/mariadb-source.sql" | bench_sql hr
}

# The seed layout of the source database hr (config/sql/mariadb-source.sql), as
# config/mariadb-to-*.yaml map it, each line indented by INDENT spaces.
bench_seed_layout() {
    sed "s/^/$(printf '%*s' "$1" '')/" <<'YAML'
users:
  table: sync_users
  attributes:
    id: id
    userName: username
    name.givenName: first_name
    name.familyName: last_name
    'emails[type eq "work"].value': email
    title: job_title
    active: is_active
    urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber: employee_number
groups:
  table: sync_groups
  parent: parent_id
  attributes: { id: id, displayName: name }
membership: { table: sync_users_groups_rel, user: user_id, group: group_id }
YAML
}

# Writes $work/NAME.yaml: pipeline NAME from hr into a `mysql` (database portal on the same
# server), `sqlite` ($work/portal.db) or `postgres` (database scimsync_test of
# bench_start_postgres) target, with the portal layout of config/*.yaml. BENCH_JOURNAL_KEEP
# sets `journal.keep` (default 30d, as scimsync's; `off` to measure without the journal).
bench_config() {
    local name=$1 kind=$2 target
    case $kind in
        mysql)
            target="mysql: { host: 127.0.0.1, port: $mariadb_port, user: $mariadb_user, password: \"$mariadb_password\", database: portal }"
            ;;
        sqlite) target="sqlite: { path: \"$work/portal.db\" }" ;;
        postgres)
            target="postgres: { host: 127.0.0.1, port: $pg_port, user: scimsync, password: \"$pg_password\", database: scimsync_test }"
            ;;
        *) bench_log "unknown target kind $kind"; return 1 ;;
    esac
    cat >"$work/$name.yaml" <<YAML
offsets: { path: "$work/$name-offsets.db" }
http: { port: $(scimsync_free_port "$mariadb_port") }
journal: { keep: ${BENCH_JOURNAL_KEEP:-30d} }
pipelines:
  - name: $name
    source:
      mysql: { host: 127.0.0.1, port: $mariadb_port, user: $mariadb_user, password: "$mariadb_password", database: hr, serverId: 4242 }
      layout:
$(bench_seed_layout 8)
    target:
      $target
      layout:
        users:
          table: portal_users
          attributes:
            id: id
            userName: login
            name.givenName: given_name
            name.familyName: family_name
            'emails[type eq "work"].value': mail
            title: title
            active: enabled
            urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber: employee_no
        groups:
          table: portal_groups
          parent: parent
          attributes: { id: id, displayName: title }
        membership: { table: portal_memberships, user: user_id, group: group_id }
YAML
    printf '%s' "$work/$name.yaml"
}

# Writes FILE: `scimsync serve` on 127.0.0.1:PORT over the source database hr in the seed
# layout, as config/mariadb-to-*.yaml's source maps it; the bearer token comes from
# SCIM_TOKEN and the database password from BENCH_DB_PASSWORD in serve's environment.
bench_serve_config() {
    local file=$1 port=$2
    cat >"$file" <<YAML
offsets: { path: "${file%.yaml}-offsets.db" }
scim:
  host: 127.0.0.1
  port: $port
  token: "\${SCIM_TOKEN}"
  mysql: { host: 127.0.0.1, port: $mariadb_port, user: $mariadb_user, password: "\${BENCH_DB_PASSWORD}", database: hr }
  layout:
$(bench_seed_layout 4)
YAML
}

# Starts `scimsync run` in the background (log in $work/NAME-run.log); sets $scimsync_pid.
bench_start_scimsync() {
    local config=$1 name=$2
    "$scimsync" run --config "$config" >"$work/$name-run.log" 2>&1 &
    scimsync_pid=$!
}

# SIGTERM to the scimsync this script started, and wait for it.
bench_stop_scimsync() {
    [[ -n "$scimsync_pid" ]] || return 0
    kill -TERM "$scimsync_pid" 2>/dev/null || true
    wait "$scimsync_pid" 2>/dev/null || true
    scimsync_pid=""
}

# CPU seconds (user + system) a process has used so far.
bench_cpu_seconds() {
    awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / hz }' "/proc/$1/stat"
}

# Peak resident set of a running process, KiB.
bench_peak_rss_kib() {
    awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"
}

# Seconds between two $EPOCHREALTIME values.
bench_elapsed() {
    awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'
}

# Generates the source directory inside the server in the seed layout (into the empty tables
# of bench_source_tables) with bench/lib/generator.sh: USERS users and, unless the
# environment says otherwise, BENCH_GROUPS (USERS / 50) groups at most BENCH_DEPTH (6) levels
# deep, BENCH_PER_USER (3) memberships per user, BENCH_BIG_GROUPS (3) groups holding one user
# in ten each, all drawn from BENCH_SEED (42). Sets $source_users, $source_groups,
# $source_members, $source_depth, $source_rows, $source_largest_group and $source_checksum
# (CHECKSUM TABLE of the three tables: equal for equal parameters).
# shellcheck disable=SC2034 # the variables it sets are the bench script's
bench_generate_source() {
    local users=$1 generated
    local groups=${BENCH_GROUPS:-$((users / 50 > 0 ? users / 50 : 1))} depth=${BENCH_DEPTH:-6}
    local per_user=${BENCH_PER_USER:-3} big=${BENCH_BIG_GROUPS:-3} seed=${BENCH_SEED:-42}
    # The big groups are the root's first children: ids 2 .. big + 1, one residue modulo 10 each.
    ((big > 10)) && big=10
    ((big > groups - 1)) && big=$((groups - 1))
    bench_log "generating $users users, $groups groups (depth <= $depth), $per_user memberships per user, $big big groups (seed $seed)"
    generated=$EPOCHREALTIME
    # shellcheck source=SCRIPTDIR/generator.sh
    source "$repo_root/bench/lib/generator.sh"
    bench_generator_sql "$users" "$groups" "$depth" "$per_user" "$big" "$seed" | bench_sql hr
    read -r source_users source_groups source_members source_depth source_largest_group < <(bench_sql hr -e "
        SELECT (SELECT COUNT(*) FROM sync_users), (SELECT COUNT(*) FROM sync_groups),
            (SELECT COUNT(*) FROM sync_users_groups_rel),
            (WITH RECURSIVE d AS (SELECT id, 1 AS depth FROM sync_groups WHERE parent_id IS NULL
                UNION ALL SELECT g.id, d.depth + 1 FROM sync_groups g JOIN d ON g.parent_id = d.id)
             SELECT MAX(depth) FROM d),
            (SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM sync_users_groups_rel GROUP BY group_id) AS sizes)")
    source_checksum=$(bench_sql hr -e "CHECKSUM TABLE sync_groups, sync_users, sync_users_groups_rel" | awk '{ print $2 }' | paste -sd- -)
    source_rows=$((source_users + source_groups + source_members))
    bench_log "generated in $(bench_elapsed "$generated" "$EPOCHREALTIME") s: $source_users users, $source_groups groups (depth $source_depth), $source_members memberships (largest group $source_largest_group), checksum $source_checksum"
}

# Runs a command to completion under GNU time (installed when missing): its standard output
# in $work/LABEL.out, its standard error in $work/LABEL.err. Sets $timed_status (its exit
# status), $timed_seconds (wall), $timed_rss_kib (peak RSS), $timed_cpu (user + system
# seconds) and, when $mariadbd_pid is set, $timed_server_cpu (mariadbd's CPU seconds meanwhile).
# Never fails itself: the caller checks $timed_status.
# shellcheck disable=SC2034 # the variables it sets are the bench script's
bench_timed() {
    local label=$1 started server_before=""
    shift
    if [[ ! -x /usr/bin/time ]]; then
        # shellcheck disable=SC2034 # the list packages.sh installs from, just for this call
        (scimsync_packages=(time) && scimsync_install_missing_packages)
    fi
    [[ -n "${mariadbd_pid:-}" ]] && server_before=$(bench_cpu_seconds "$mariadbd_pid")
    started=$EPOCHREALTIME
    timed_status=0
    /usr/bin/time -o "$work/$label.time" -f '%M %U %S' "$@" >"$work/$label.out" 2>"$work/$label.err" || timed_status=$?
    timed_seconds=$(bench_elapsed "$started" "$EPOCHREALTIME")
    timed_server_cpu=""
    [[ -n "$server_before" ]] &&
        timed_server_cpu=$(awk -v a="$server_before" -v b="$(bench_cpu_seconds "$mariadbd_pid")" 'BEGIN { printf "%.2f", b - a }')
    # GNU time writes "Command exited with non-zero status N" above its figures then.
    read -r timed_rss_kib timed_user timed_system < <(tail -n 1 "$work/$label.time")
    timed_cpu=$(awk -v u="$timed_user" -v s="$timed_system" 'BEGIN { printf "%.2f", u + s }')
}

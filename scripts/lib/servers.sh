# Private MariaDB and PostgreSQL servers for the integration tests.
#
# Source this file, then call `scimsync_servers_start`: it creates a temporary directory,
# starts both servers on free loopback ports with their sockets and logs inside it, creates
# the `scimsync` users and the `scimsync_test` databases, exports the SCIMSYNC_TEST_* URLs
# and installs an EXIT trap that stops both servers and removes the directory whatever happens.
# The servers never touch the system's own instances: own data directories, own sockets,
# ports chosen free at start.
#
# Exported:
#   SCIMSYNC_TEST_MARIADB_URL       mysql://scimsync:PASSWORD@127.0.0.1:PORT/scimsync_test
#   SCIMSYNC_TEST_MARIADB_ROOT_URL  mysql://root:PASSWORD@127.0.0.1:PORT/
#   SCIMSYNC_TEST_POSTGRES_URL      postgres://scimsync:PASSWORD@127.0.0.1:PORT/scimsync_test
#   SCIMSYNC_TEST_POSTGRES_ROOT_URL postgres://postgres:PASSWORD@127.0.0.1:PORT/postgres
#
# Set SCIMSYNC_KEEP_SERVER_DIR=1 to keep the directory (data and logs) after stopping.
# Requires bash with `set -euo pipefail` in the caller.

SCIMSYNC_SERVERS_DIR=""
SCIMSYNC_MARIADB_PID=""
SCIMSYNC_PG_BIN=""
SCIMSYNC_PG_STARTED=""

scimsync_log() {
    printf 'servers: %s\n' "$*" >&2
}

# A random alphanumeric secret; the URLs carry it unescaped.
scimsync_secret() {
    local secret
    secret=$(LC_ALL=C tr -dc 'A-Za-z0-9' </dev/urandom | head -c 24 || true)
    printf '%s' "$secret"
}

# True when something accepts TCP connections on 127.0.0.1:$1.
scimsync_port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# A TCP port that nothing listens on, not in the list of ports given as arguments.
scimsync_free_port() {
    local port attempt taken
    for attempt in $(seq 1 200); do
        if command -v python3 >/dev/null 2>&1; then
            port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
        else
            port=$((20000 + RANDOM % 40000))
        fi
        for taken in "$@"; do
            [[ "$port" == "$taken" ]] && continue 2
        done
        if ! scimsync_port_in_use "$port"; then
            printf '%s' "$port"
            return 0
        fi
    done
    scimsync_log "no free TCP port found on 127.0.0.1"
    return 1
}

# Prints the last lines of a server log, for startup failures.
scimsync_show_log() {
    local name=$1 file=$2
    scimsync_log "---- last lines of $name log ($file) ----"
    if [[ -f "$file" ]]; then tail -n 40 "$file" >&2; else scimsync_log "(no log written)"; fi
    scimsync_log "---- end of $name log ----"
}

# Runs a command as the postgres OS user when we are root (the server refuses to run as root).
scimsync_as_postgres() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

scimsync_start_mariadb() {
    local dir=$SCIMSYNC_SERVERS_DIR/mariadb
    local install_db server admin client
    install_db=$(command -v mariadb-install-db || command -v mysql_install_db || true)
    server=$(command -v mariadbd || command -v mysqld || true)
    [[ -x "$server" ]] || server=$( [[ -x /usr/sbin/mariadbd ]] && echo /usr/sbin/mariadbd || echo /usr/sbin/mysqld )
    admin=$(command -v mariadb-admin || command -v mysqladmin || true)
    client=$(command -v mariadb || command -v mysql || true)
    if [[ -z "$install_db" || ! -x "$server" || -z "$admin" || -z "$client" ]]; then
        scimsync_log "MariaDB server or client programs not found: install mariadb-server"
        return 1
    fi

    mkdir -p "$dir/data"
    chmod 700 "$dir"
    local port
    port=$(scimsync_free_port "${SCIMSYNC_PG_PORT:-}")
    local socket=$dir/mariadb.sock log=$dir/mariadb.log
    local user_args=()
    [[ $(id -u) -eq 0 ]] && user_args=(--user=root)

    scimsync_log "initialising MariaDB in $dir"
    if ! "$install_db" --no-defaults --datadir="$dir/data" "${user_args[@]}" \
        --auth-root-authentication-method=normal --skip-test-db >"$dir/install.log" 2>&1; then
        scimsync_show_log "mariadb-install-db" "$dir/install.log"
        return 1
    fi

    scimsync_log "starting MariaDB on 127.0.0.1:$port"
    "$server" --no-defaults --datadir="$dir/data" --socket="$socket" --port="$port" \
        --bind-address=127.0.0.1 --skip-name-resolve --pid-file="$dir/mariadb.pid" \
        --log-error="$log" --log-bin="$dir/binlog" --binlog-format=ROW --binlog-row-image=FULL \
        --binlog-row-metadata=FULL --server-id=1 --innodb-buffer-pool-size=64M --max-allowed-packet=64M --max-connections=400 \
        --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
        "${user_args[@]}" >>"$log" 2>&1 &
    SCIMSYNC_MARIADB_PID=$!

    local waited=0
    until "$admin" --no-defaults --socket="$socket" -uroot ping >/dev/null 2>&1; do
        if ! kill -0 "$SCIMSYNC_MARIADB_PID" 2>/dev/null; then
            scimsync_log "MariaDB exited during startup"
            scimsync_show_log MariaDB "$log"
            SCIMSYNC_MARIADB_PID=""
            return 1
        fi
        if ((waited >= 120)); then
            scimsync_log "MariaDB did not answer within 60 s"
            scimsync_show_log MariaDB "$log"
            return 1
        fi
        sleep 0.5
        waited=$((waited + 1))
    done

    local password root_password
    password=$(scimsync_secret)
    root_password=$(scimsync_secret)
    # MariaDB 10.5 split REPLICATION CLIENT into BINLOG MONITOR (SHOW BINLOG STATUS etc.);
    # REPLICATION CLIENT is still accepted there as an alias, so granting both covers
    # every version we support.
    local binlog_monitor="REPLICATION CLIENT"
    if "$client" --no-defaults --socket="$socket" -uroot -N -e "SELECT VERSION()" | grep -qi mariadb; then
        binlog_monitor="REPLICATION CLIENT, BINLOG MONITOR"
    fi
    if ! "$client" --no-defaults --socket="$socket" -uroot >>"$dir/setup.log" 2>&1 <<SQL; then
CREATE DATABASE scimsync_test CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER 'scimsync'@'127.0.0.1' IDENTIFIED BY '$password';
CREATE USER 'scimsync'@'localhost' IDENTIFIED BY '$password';
GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, ALTER, INDEX, CREATE VIEW, SHOW VIEW, REPLICATION SLAVE, $binlog_monitor
    ON *.* TO 'scimsync'@'127.0.0.1';
GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, ALTER, INDEX, CREATE VIEW, SHOW VIEW, REPLICATION SLAVE, $binlog_monitor
    ON *.* TO 'scimsync'@'localhost';
CREATE USER IF NOT EXISTS 'root'@'127.0.0.1';
ALTER USER 'root'@'127.0.0.1' IDENTIFIED BY '$root_password';
GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;
SQL
        scimsync_log "MariaDB setup failed"
        scimsync_show_log "MariaDB setup" "$dir/setup.log"
        return 1
    fi

    SCIMSYNC_MARIADB_PORT=$port
    export SCIMSYNC_TEST_MARIADB_URL="mysql://scimsync:$password@127.0.0.1:$port/scimsync_test"
    export SCIMSYNC_TEST_MARIADB_ROOT_URL="mysql://root:$root_password@127.0.0.1:$port/"
    scimsync_log "MariaDB ready on 127.0.0.1:$port (socket $socket)"
}

scimsync_start_postgres() {
    local dir=$SCIMSYNC_SERVERS_DIR/postgres
    SCIMSYNC_PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [[ -z "$SCIMSYNC_PG_BIN" || ! -x "$SCIMSYNC_PG_BIN/pg_ctl" ]]; then
        if command -v pg_ctl >/dev/null 2>&1; then
            SCIMSYNC_PG_BIN=$(dirname "$(command -v pg_ctl)")
        else
            scimsync_log "PostgreSQL server programs not found: install postgresql"
            return 1
        fi
    fi

    mkdir -p "$dir"
    if [[ $(id -u) -eq 0 ]]; then
        chown postgres: "$dir"
    fi
    local port
    port=$(scimsync_free_port "${SCIMSYNC_MARIADB_PORT:-}")
    local log=$dir/postgres.log
    local password root_password
    password=$(scimsync_secret)
    root_password=$(scimsync_secret)

    scimsync_log "initialising PostgreSQL in $dir"
    if ! scimsync_as_postgres "$SCIMSYNC_PG_BIN/initdb" -D "$dir/data" -U postgres -E UTF8 \
        --locale=C --auth-local=trust --auth-host=scram-sha-256 >"$dir/initdb.log" 2>&1; then
        scimsync_show_log initdb "$dir/initdb.log"
        return 1
    fi

    scimsync_log "starting PostgreSQL on 127.0.0.1:$port"
    if ! scimsync_as_postgres "$SCIMSYNC_PG_BIN/pg_ctl" -D "$dir/data" -l "$log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off" start >"$dir/pg_ctl.log" 2>&1; then
        scimsync_log "PostgreSQL did not start"
        scimsync_show_log pg_ctl "$dir/pg_ctl.log"
        scimsync_show_log PostgreSQL "$log"
        return 1
    fi
    SCIMSYNC_PG_STARTED=1

    if ! scimsync_as_postgres "$SCIMSYNC_PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" \
        -U postgres -d postgres >"$dir/setup.log" 2>&1 <<SQL; then
ALTER ROLE postgres PASSWORD '$root_password';
CREATE ROLE scimsync LOGIN PASSWORD '$password';
CREATE DATABASE scimsync_test OWNER scimsync ENCODING 'UTF8';
SQL
        scimsync_log "PostgreSQL setup failed"
        scimsync_show_log "PostgreSQL setup" "$dir/setup.log"
        return 1
    fi

    SCIMSYNC_PG_PORT=$port
    export SCIMSYNC_TEST_POSTGRES_URL="postgres://scimsync:$password@127.0.0.1:$port/scimsync_test"
    export SCIMSYNC_TEST_POSTGRES_ROOT_URL="postgres://postgres:$root_password@127.0.0.1:$port/postgres"
    scimsync_log "PostgreSQL ready on 127.0.0.1:$port (socket directory $dir)"
}

# Stops whatever scimsync_servers_start started; safe to call twice and after a failed start.
scimsync_servers_stop() {
    local dir=$SCIMSYNC_SERVERS_DIR
    [[ -n "$dir" ]] || return 0

    if [[ -n "$SCIMSYNC_PG_STARTED" ]]; then
        scimsync_as_postgres "$SCIMSYNC_PG_BIN/pg_ctl" -D "$dir/postgres/data" -m fast -w -t 30 stop \
            >>"$dir/postgres/pg_ctl.log" 2>&1 || scimsync_log "PostgreSQL did not stop cleanly"
        SCIMSYNC_PG_STARTED=""
    fi

    if [[ -n "$SCIMSYNC_MARIADB_PID" ]]; then
        kill -TERM "$SCIMSYNC_MARIADB_PID" 2>/dev/null || true
        local waited=0
        while kill -0 "$SCIMSYNC_MARIADB_PID" 2>/dev/null && ((waited < 60)); do
            sleep 0.5
            waited=$((waited + 1))
        done
        if kill -0 "$SCIMSYNC_MARIADB_PID" 2>/dev/null; then
            scimsync_log "MariaDB did not stop within 30 s; killing it"
            kill -KILL "$SCIMSYNC_MARIADB_PID" 2>/dev/null || true
        fi
        wait "$SCIMSYNC_MARIADB_PID" 2>/dev/null || true
        SCIMSYNC_MARIADB_PID=""
    fi

    if [[ -n "${SCIMSYNC_KEEP_SERVER_DIR:-}" ]]; then
        scimsync_log "kept server data and logs in $dir"
    else
        rm -rf "$dir"
    fi
    SCIMSYNC_SERVERS_DIR=""
}

# Starts both servers and arranges for them to stop when the calling shell exits.
scimsync_servers_start() {
    SCIMSYNC_SERVERS_DIR=$(mktemp -d "${TMPDIR:-/tmp}/scimsync-servers.XXXXXX")
    # The postgres OS user must reach its subdirectory.
    chmod 755 "$SCIMSYNC_SERVERS_DIR"
    trap scimsync_servers_stop EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    scimsync_start_mariadb
    scimsync_start_postgres
}

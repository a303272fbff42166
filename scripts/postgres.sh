#!/usr/bin/env bash
# A private PostgreSQL cluster for one test run, sourced by scripts/test.sh:
#   start_test_postgres   initdb into a new temporary directory, start the server on a free
#                         loopback port (and a Unix socket in that directory), export
#                         WAKUSYNC_TEST_POSTGRES_URL for the tests;
#   stop_test_postgres    stop it and remove the directory (safe to call more than once).
# initdb refuses to run as root, so under root (as CI runs) the cluster belongs to an
# unprivileged system user: Debian's postgres, or wakusync-pg created on the spot.

test_postgres_dir=""
test_postgres_run=()

start_test_postgres() {
    local bin
    bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
        echo "PostgreSQL server binaries not found under /usr/lib/postgresql (scripts/setup.sh installs them)" >&2
        return 1
    fi
    test_postgres_dir=$(mktemp -d /tmp/wakusync-pg.XXXXXX)
    chmod 755 "$test_postgres_dir"
    test_postgres_run=()
    if [ "$(id -u)" -eq 0 ]; then
        local owner=postgres
        if ! id "$owner" >/dev/null 2>&1; then
            owner=wakusync-pg
            id "$owner" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$owner"
        fi
        chown "$owner" "$test_postgres_dir"
        test_postgres_run=(runuser -u "$owner" --)
    fi
    local port
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    "${test_postgres_run[@]}" "$bin/initdb" -D "$test_postgres_dir/data" -U wakusync --auth=trust \
        --encoding=UTF8 --locale=C.UTF-8 >"$test_postgres_dir/initdb.log" 2>&1 || {
        cat "$test_postgres_dir/initdb.log" >&2
        return 1
    }
    # Durability is not under test here (the archive's own crash tests kill wakusync, not the
    # server), so the server skips fsync to keep the suite fast.
    "${test_postgres_run[@]}" "$bin/pg_ctl" -D "$test_postgres_dir/data" -l "$test_postgres_dir/server.log" -w \
        -o "-p $port -c listen_addresses=127.0.0.1 -k $test_postgres_dir -c fsync=off -c synchronous_commit=off \
            -c full_page_writes=off -c max_connections=200" start >/dev/null || {
        cat "$test_postgres_dir/server.log" >&2
        return 1
    }
    export WAKUSYNC_TEST_POSTGRES_URL="postgres://wakusync@127.0.0.1:$port/postgres"
    export WAKUSYNC_TEST_POSTGRES_SOCKET_URL="postgres://wakusync@/postgres?host=$test_postgres_dir&port=$port"
    echo "test PostgreSQL: $WAKUSYNC_TEST_POSTGRES_URL ($test_postgres_dir)"
    test_postgres_bin=$bin
}

stop_test_postgres() {
    [ -n "$test_postgres_dir" ] || return 0
    if [ -f "$test_postgres_dir/data/postmaster.pid" ]; then
        "${test_postgres_run[@]}" "$test_postgres_bin/pg_ctl" -D "$test_postgres_dir/data" -m immediate -w stop \
            >/dev/null 2>&1 || true
    fi
    rm -rf "$test_postgres_dir"
    test_postgres_dir=""
}

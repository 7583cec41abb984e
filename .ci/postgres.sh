#!/usr/bin/env bash
# Source this from .ci/run: installs (if needed) and starts a local PostgreSQL server
# from Debian packages, creates a test database and user, and exports TEST_DATABASE_URL.
# Never fails the run: when PostgreSQL cannot be set up it says why, leaves
# TEST_DATABASE_URL unset, and the PostgreSQL storage tests skip with that reason.
# Idempotent and quick when PostgreSQL is already installed and running.

_pg_setup() {
    local db=smtpbot_test user=smtpbot pass=smtpbot port=5432
    if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
        if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
            echo "postgres: not installed and cannot install (need root + apt-get); PostgreSQL tests will skip" >&2
            return 1
        fi
        echo "postgres: installing from Debian packages" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >/dev/null && apt-get install -y -qq postgresql >/dev/null || {
            echo "postgres: apt-get install postgresql failed; PostgreSQL tests will skip" >&2
            return 1
        }
    fi
    local ver cluster=main
    ver=$(ls /usr/lib/postgresql | sort -V | tail -n1)
    if ! pg_lsclusters -h 2>/dev/null | awk '{print $1" "$2}' | grep -qx "$ver $cluster"; then
        pg_createcluster "$ver" "$cluster" >/dev/null || { echo "postgres: pg_createcluster failed" >&2; return 1; }
    fi
    port=$(pg_lsclusters -h | awk -v v="$ver" -v c="$cluster" '$1==v && $2==c {print $3}')
    if ! pg_lsclusters -h | awk -v v="$ver" -v c="$cluster" '$1==v && $2==c {print $4}' | grep -q online; then
        pg_ctlcluster "$ver" "$cluster" start || { echo "postgres: could not start cluster $ver/$cluster" >&2; return 1; }
    fi
    local i
    for i in $(seq 1 30); do
        pg_isready -q -h localhost -p "$port" && break
        sleep 0.5
    done
    pg_isready -q -h localhost -p "$port" || { echo "postgres: server not ready" >&2; return 1; }
    local psql=(su postgres -s /bin/sh -c)
    "${psql[@]}" "psql -p $port -tAc \"SELECT 1 FROM pg_roles WHERE rolname='$user'\"" | grep -q 1 \
        || "${psql[@]}" "psql -p $port -qc \"CREATE ROLE $user LOGIN PASSWORD '$pass'\"" >/dev/null || return 1
    "${psql[@]}" "psql -p $port -tAc \"SELECT 1 FROM pg_database WHERE datname='$db'\"" | grep -q 1 \
        || "${psql[@]}" "createdb -p $port -O $user $db" || return 1
    export TEST_DATABASE_URL="postgresql+psycopg://$user:$pass@localhost:$port/$db"
    echo "postgres: ready, TEST_DATABASE_URL=postgresql+psycopg://$user:***@localhost:$port/$db" >&2
}

_pg_setup || unset TEST_DATABASE_URL
unset -f _pg_setup

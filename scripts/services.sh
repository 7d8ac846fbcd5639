#!/usr/bin/env bash
# Makes sure the real servers the test suite talks to are installed and running:
# PostgreSQL (127.0.0.1:5432, trust auth), Redis (127.0.0.1:6379) and Debian chromium.
# Idempotent: does nothing when everything is already there. Installing needs root.
# Exits non-zero when a server it started never opens its port, so that CI cannot go on to
# skip every test that needs it. PG_PORT, REDIS_PORT and SERVICES_WAIT (seconds) are for
# testing this script.
set -euo pipefail

PG_PORT=${PG_PORT:-5432}
REDIS_PORT=${REDIS_PORT:-6379}
SERVICES_WAIT=${SERVICES_WAIT:-30}

say() { printf '\033[1m[services]\033[0m %s\n' "$*"; }

apt_updated=""
apt_install() {
    if [ "$(id -u)" != 0 ]; then
        echo "Cannot install $* without root; install it, or run as root." >&2
        return 1
    fi
    [ -n "$apt_updated" ] || { apt-get update -qq; apt_updated=1; }
    say "installing $*"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for_port() {  # name port: wait up to SERVICES_WAIT seconds, else fail loudly
    for _ in $(seq "$SERVICES_WAIT"); do port_open "$2" && return 0; sleep 1; done
    port_open "$2" && return 0
    echo "[services] $1 did not open 127.0.0.1:$2 within $SERVICES_WAIT s: its tests cannot run." >&2
    exit 1
}

if ! port_open "$PG_PORT"; then
    command -v pg_ctlcluster >/dev/null 2>&1 || apt_install postgresql
    version=$(ls /etc/postgresql | sort -V | tail -1)
    hba="/etc/postgresql/$version/main/pg_hba.conf"
    if ! grep -q "rapport-trust" "$hba"; then
        # Local test server only: trust connections from this machine.
        sed -i '1i host all all 127.0.0.1/32 trust # rapport-trust\nhost all all ::1/128 trust # rapport-trust\nlocal all all trust # rapport-trust' "$hba"
    fi
    say "starting PostgreSQL $version"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start
    wait_for_port PostgreSQL "$PG_PORT"
    psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -tc "SELECT 1 FROM pg_database WHERE datname='test'" | grep -q 1 \
        || psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -c "CREATE DATABASE test" >/dev/null
fi

if ! port_open "$REDIS_PORT"; then
    command -v redis-server >/dev/null 2>&1 || apt_install redis-server
    say "starting Redis"
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
        --dir /var/lib/redis --logfile /var/log/redis/rapport.log
    wait_for_port Redis "$REDIS_PORT"
fi

command -v chromium >/dev/null 2>&1 || apt_install chromium
exit 0

#!/usr/bin/env bash
# Makes sure the real servers the test suite talks to are installed and running:
# PostgreSQL (127.0.0.1:5432, trust auth), Redis (127.0.0.1:6379) and Debian chromium.
# Idempotent: does nothing when everything is already there. Installing needs root.
set -euo pipefail

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

if ! port_open 5432; then
    command -v pg_ctlcluster >/dev/null 2>&1 || apt_install postgresql
    version=$(ls /etc/postgresql | sort -V | tail -1)
    hba="/etc/postgresql/$version/main/pg_hba.conf"
    if ! grep -q "rapport-trust" "$hba"; then
        # Local test server only: trust connections from this machine.
        sed -i '1i host all all 127.0.0.1/32 trust # rapport-trust\nhost all all ::1/128 trust # rapport-trust\nlocal all all trust # rapport-trust' "$hba"
    fi
    say "starting PostgreSQL $version"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start
    for _ in $(seq 30); do port_open 5432 && break; sleep 1; done
    psql -h 127.0.0.1 -U postgres -tc "SELECT 1 FROM pg_database WHERE datname='test'" | grep -q 1 \
        || psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE test" >/dev/null
fi

if ! port_open 6379; then
    command -v redis-server >/dev/null 2>&1 || apt_install redis-server
    say "starting Redis"
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
        --dir /var/lib/redis --logfile /var/log/redis/rapport.log
    for _ in $(seq 30); do port_open 6379 && break; sleep 1; done
fi

command -v chromium >/dev/null 2>&1 || apt_install chromium
exit 0

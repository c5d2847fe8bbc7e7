#!/bin/sh
# Make sure Debian's redis-server is installed (tests and benches start their own on 127.0.0.1).
# Idempotent and non-interactive: does nothing when redis-server is already on PATH.
set -eu
if command -v redis-server >/dev/null 2>&1; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure_redis: redis-server is missing and apt-get is not available; install Redis 6+ yourself" >&2
    exit 1
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
        echo "ensure_redis: redis-server is missing and this user cannot run apt-get (no root, no sudo)" >&2
        exit 1
    fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends redis-server >/dev/null
# The package may start a system service on 6379; tests never use it, they start their own.
command -v redis-server >/dev/null 2>&1 || { echo "ensure_redis: install finished but redis-server is not on PATH" >&2; exit 1; }
echo "ensure_redis: installed $(redis-server --version | cut -d' ' -f1-3)"

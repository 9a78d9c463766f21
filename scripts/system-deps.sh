#!/usr/bin/env bash
# Installs the system programs that the test suite needs and pip cannot provide:
# a PostgreSQL server (initdb, pg_ctl). Does nothing when they are already there.
set -euo pipefail

have_postgres() {
  command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1
}

if have_postgres; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "PostgreSQL server binaries (initdb, pg_ctl) are missing; install the 'postgresql' package." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends postgresql >/dev/null
have_postgres

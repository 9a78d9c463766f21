#!/usr/bin/env bash
# Installs the system programs that the test suite needs and pip cannot provide: a PostgreSQL
# server (initdb, pg_ctl), a Java runtime for Spark, Chromium for the browser tests, poppler
# (pdftoppm, pdftotext) to check the PDF report, and the Pango libraries and Arabic fonts that
# WeasyPrint renders with. Does nothing when they are already there.
set -euo pipefail

have_postgres() {
  command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1
}
have_lib() {
  ldconfig -p 2>/dev/null | grep -q "$1"
}

missing=()
have_postgres || missing+=(postgresql)
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
have_lib libpangoft2-1.0 || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
[ -e /usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf ] || missing+=(fonts-noto-core)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "missing system packages: ${missing[*]} (install them, e.g. with apt-get)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
have_postgres

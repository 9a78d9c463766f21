#!/usr/bin/env bash
# Installs the system programs that pip cannot provide. `runtime`: what Marsad itself needs (the
# Pango libraries and Arabic fonts WeasyPrint renders the PDF report with). No argument: also
# what the test suite needs — a PostgreSQL server (initdb, pg_ctl), a Java runtime for Spark,
# Chromium for the browser tests, poppler (pdftoppm, pdftotext) to check the PDF report,
# OpenSSL's command for the test time-stamping authority and to verify evidence packages.
# Does nothing when they are already there.
set -euo pipefail
scope="${1:-tests}"

have_postgres() {
  command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1
}
have_lib() {
  ldconfig -p 2>/dev/null | grep "$1" >/dev/null
}

missing=()
have_lib libpangoft2-1.0 || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
[ -e /usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf ] || missing+=(fonts-noto-core)
if [ "$scope" = tests ]; then
  have_postgres || missing+=(postgresql)
  command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
fi
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

#!/usr/bin/env bash
# Lighthouse (mobile) on a demo landing page: prints the performance, accessibility and
# best-practices scores (target: 100 each) and keeps the JSON and HTML reports.
#
#   scripts/lighthouse.sh            # seeds a throw-away demo database and serves it
#   scripts/lighthouse.sh URL        # audits a page that is already being served
#
# Needs Node.js/npm (lighthouse is installed from npm into .lighthouse/ on first use) and
# Debian's chromium (CHROME_PATH=/usr/bin/chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
export CHROME_PATH="${CHROME_PATH:-/usr/bin/chromium}"
PYTHON="${PYTHON:-.venv/bin/python}"
QRSHOP="$(dirname "$PYTHON")/qrshop"
OUT="${LIGHTHOUSE_OUT:-test-artifacts/lighthouse}"
mkdir -p "$OUT"

if [ ! -x .lighthouse/node_modules/.bin/lighthouse ]; then
  npm install --silent --no-audit --no-fund --prefix .lighthouse lighthouse >/dev/null
fi

server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true; rm -rf "${tmp:-}"; }
trap cleanup EXIT

url="${1:-}"
if [ -z "$url" ]; then
  tmp="$(mktemp -d)"
  port=5099
  export QRSHOP_INSTANCE_PATH="$tmp" QRSHOP_DATABASE_URL="sqlite:///$tmp/lh.sqlite3"
  export QRSHOP_BASE_URL="http://127.0.0.1:$port" QRSHOP_VENDOR_CONTENT_DIR="$tmp/content"
  "$QRSHOP" demo --no-serve --port "$port" >/dev/null 2>&1
  code="$("$QRSHOP" tags list --store ATL01 --format csv | sed -n 2p | cut -d, -f1)"
  "$QRSHOP" serve --bind "127.0.0.1:$port" --workers 2 >"$tmp/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
  # ?via=store: the audit's page loads are visits, not shelf scans.
  url="http://127.0.0.1:$port/t/$code?via=store"
fi

.lighthouse/node_modules/.bin/lighthouse "$url" \
  --quiet --output=json --output=html --output-path="$OUT/landing" \
  --only-categories=performance,accessibility,best-practices,seo \
  --form-factor=mobile --screenEmulation.mobile \
  --chrome-flags="--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync"

"$PYTHON" - "$OUT/landing.report.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
print(f"Lighthouse (mobile) {report['finalDisplayedUrl']}")
for key, category in report["categories"].items():
    print(f"  {category['title']:<16} {round(category['score'] * 100):>3}  (target 100)")
    for ref in category["auditRefs"]:
        audit = report["audits"][ref["id"]]
        if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
            print(f"      - {audit['title']}: {audit.get('displayValue', audit['score'])}")
PY

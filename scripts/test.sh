#!/usr/bin/env bash
# Runs every test: unit tests, then mimic against QEMU (guest programs,
# random differential programs, bad input). Ends with "N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }
meson test -C build --print-errorlogs --num-processes 2 "$@"
status=$?
python3 - <<'PY'
import json
passed = failed = 0
with open("build/meson-logs/testlog.json") as f:
    for line in f:
        r = json.loads(line)
        ok = r["result"] in ("OK", "EXPECTEDFAIL", "SKIP")
        passed += ok
        failed += not ok
        print(f"  {r['result']:<8} {r['name']}")
print(f"{passed} passed, {failed} failed")
PY
exit $status

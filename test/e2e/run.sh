#!/usr/bin/env bash
# npm run test:e2e: prepare this machine, build, boot lab hosts for each scenario, then check nothing leaked.
# Usage: test/e2e/run.sh [scenario.e2e.ts ...]   (default: all test/e2e/*.e2e.ts)
# PHANES_E2E_SKIP_BUILD=1 skips `npm run build` (for work on the harness itself).
set -uo pipefail
cd "$(dirname "$0")/../.."
[[ $EUID -eq 0 ]] || { echo "test:e2e must run as root (it boots containers)" >&2; exit 1; }
source test/e2e/config.sh
t0=$SECONDS

bash test/e2e/setup.sh || { echo "e2e: setup failed" >&2; exit 1; }
echo "e2e: setup took $((SECONDS - t0)) s"

if [[ -z ${PHANES_E2E_SKIP_BUILD:-} ]] && node -e 'process.exit(require("./package.json").scripts?.build ? 0 : 1)'; then
  tb=$SECONDS
  npm run build || { echo "e2e: npm run build failed" >&2; exit 1; }
  echo "e2e: build took $((SECONDS - tb)) s"
fi

scenarios=("$@")
((${#scenarios[@]})) || scenarios=(test/e2e/*.e2e.ts)  # node's runner takes them in name order
find "$RUN_DIR-logs" -name '*.log' -mtime +1 -delete 2>/dev/null  # hosts' console logs: <name>.log

# Each scenario file is a process; two at a time boot their hosts in parallel on 2 cores.
# setsid: the runner gets its own process group, so a signal reaches every scenario process at once.
setsid npx tsx --test --test-concurrency=2 --test-timeout=2400000 --test-reporter=spec "${scenarios[@]}" &
runner=$!
# On Ctrl-C/TERM each scenario process takes its hosts down (harness registry); cleanup.sh catches the rest.
interrupted() {
  echo "e2e: interrupted, taking hosts down"
  kill -TERM -- -"$runner" 2>/dev/null
  # Wait (at most 40 s) for every scenario process of the group, not only npx, to finish its teardown.
  for _ in $(seq 400); do kill -0 -- -"$runner" 2>/dev/null || break; sleep 0.1; done
  bash test/e2e/cleanup.sh
  exit 130
}
trap interrupted INT TERM
wait $runner
tests_rc=$?
trap - INT TERM

bash test/e2e/leakcheck.sh
leak_rc=$?
((leak_rc == 0)) || bash test/e2e/cleanup.sh >/dev/null

echo "e2e: total wall time $((SECONDS - t0)) s (console logs in $RUN_DIR-logs)"
((tests_rc == 0 && leak_rc == 0)) || { echo "e2e: FAILED (tests rc=$tests_rc, leak check rc=$leak_rc)"; exit 1; }
echo "e2e: passed"

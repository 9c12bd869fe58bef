#!/usr/bin/env bash
# npm run bench: the performance figures of issue 14 against their targets, from one run (root: it boots
# lab hosts). Prepares the lab (test/e2e/setup.sh), builds, then runs test/e2e/bench.ts. Not part of npm test.
# Usage: scripts/bench.sh [--only startup] [--runs N] [--explain]
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ " $* " != *" --only startup "* ]]; then
  [[ $EUID -eq 0 ]] || { echo "bench must run as root (it boots lab hosts)" >&2; exit 1; }
  bash test/e2e/setup.sh >/dev/null || { echo "bench: test/e2e/setup.sh failed" >&2; exit 1; }
fi
[[ -n ${PHANES_E2E_SKIP_BUILD:-} ]] || npm run build >/dev/null
exec npx tsx test/e2e/bench.ts "$@"

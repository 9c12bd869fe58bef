#!/usr/bin/env bash
# Fails (exit 1) if a lab host of a finished process left anything on this machine: mounts, netns, links,
# nspawn processes, run dirs, cgroups, address locks. Read-only; cleanup.sh removes what it lists.
set -uo pipefail
source "$(dirname "$0")/config.sh"
source "$(dirname "$0")/owners.sh"

found=$(leftovers)
if [[ -n $found ]]; then
  echo "leak check: FAILED, left behind:"
  sed 's/^/  /' <<<"$found"
  exit 1
fi
echo "leak check: clean"
[[ $LIVE_NAMES == " " ]] || echo "  (hosts of live processes, not checked:${LIVE_NAMES% })"

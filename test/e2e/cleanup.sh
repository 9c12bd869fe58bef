#!/usr/bin/env bash
# Takes down by force what lab hosts of dead processes left behind (what leakcheck.sh lists).
# Hosts of live processes are left alone. Keeps the bridge, apt-cacher-ng and the cached bases.
set -uo pipefail
source "$(dirname "$0")/config.sh"
source "$(dirname "$0")/owners.sh"
[[ $EUID -eq 0 ]] || { echo "cleanup.sh must run as root" >&2; exit 1; }

# Processes first: killing a host's init (nspawn's child) ends its whole pid namespace.
leftovers | awk '$1 == "nspawn" {print $2}' | while read -r pid; do
  for child in $(cat /proc/"$pid"/task/*/children 2>/dev/null); do kill -KILL "$child" 2>/dev/null; done
  kill -KILL "$pid" 2>/dev/null && echo "killed nspawn $pid"
done
sleep 1
leftovers | sort -k2 -r | while read -r kind id; do  # reverse order: deeper paths first
  case $kind in
    mount) umount -l "$id" ;;
    netns) ip netns delete "$id" ;;
    link) ip link delete "$id" 2>/dev/null ;;  # gone already if its peer's netns was deleted
    cgroup) find "$id" -depth -type d -exec rmdir {} \; ;;
    rundir) findmnt -rn -o TARGET | grep -qF "$id/" || rm -rf --one-file-system "$id" ;;
    propagate) rm -rf "$id" ;;
    lock) rm -f "$id" ;;
    *) continue ;;
  esac && echo "removed $kind $id"
done
source "$(dirname "$0")/owners.sh"  # re-read the locks just removed
exec bash "$(dirname "$0")/leakcheck.sh"

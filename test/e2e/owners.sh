# Sourced by leakcheck.sh and cleanup.sh. A host belongs to a live process when its address lock
# ($STATE_DIR/addresses/<octet>, "<pid> <name>") names a running pid: such hosts are someone else's
# (another run or a developer's session) and are neither leaks nor cleaned up.
LIVE_OCTETS=" " LIVE_NAMES=" " STALE_LOCKS=()
for lock in "$STATE_DIR"/addresses/*; do
  [[ -f $lock ]] || continue
  read -r pid name <"$lock" || true
  state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || true)  # field 3 of stat: process state
  if [[ -n $state && $state != Z ]]; then
    LIVE_OCTETS+="${lock##*/} " LIVE_NAMES+="$name "
  else
    STALE_LOCKS+=("$lock")
  fi
done
live_octet() { [[ $LIVE_OCTETS == *" $1 "* ]]; }
live_name() { [[ $LIVE_NAMES == *" $1 "* ]]; }

# Leftovers, one per line, each as "<kind> <id>"; ids are what cleanup.sh acts on.
leftovers() {
  local x
  for x in "${STALE_LOCKS[@]}"; do echo "lock $x"; done
  # Only the host's root is mounted under the run dir: $RUN_DIR/<name>/root.
  findmnt -rn -o TARGET | grep -F "$RUN_DIR/" | while read -r x; do
    x=${x#"$RUN_DIR/"}; live_name "${x%%/*}" || echo "mount $RUN_DIR/$x"
  done
  for x in $(ip netns list 2>/dev/null | awk '{print $1}' | grep '^phanes-n'); do
    live_octet "${x#phanes-n}" || echo "netns $x"
  done
  for x in $(ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | grep '^phanes-[vp]'); do
    live_octet "${x#phanes-?}" || echo "link $x"
  done
  # Matching the full command line of our own nspawn processes, to report or kill them by pid.
  pgrep -f "systemd-nspawn -D $RUN_DIR/" | while read -r x; do
    name=$(tr '\0' ' ' <"/proc/$x/cmdline" 2>/dev/null | sed -n "s|.*-D $RUN_DIR/\([^/]*\)/root.*|\1|p")
    [[ -n $name ]] && ! live_name "$name" && echo "nspawn $x"
  done
  for x in "$RUN_DIR"/*; do [[ -e $x ]] && ! live_name "${x##*/}" && echo "rundir $x"; done
  for x in /sys/fs/cgroup/{systemd,unified}/"$CGROUP_NAME"/*/; do
    [[ -d $x ]] && ! live_name "$(basename "$x")" && echo "cgroup ${x%/}"
  done
  for x in /run/systemd/nspawn/propagate/*; do [[ -e $x ]] && ! live_name "${x##*/}" && echo "propagate $x"; done
  return 0
}

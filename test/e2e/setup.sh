#!/usr/bin/env bash
# Prepares this machine to boot Phanes lab hosts (see test/e2e/README.md).
# Idempotent, run as root: packages, bridge, apt-cacher-ng on the bridge, cached debootstrap bases.
# Never touches this machine's clock, swap, firewall or ip_forward.
set -euo pipefail
source "$(dirname "$0")/config.sh"

log() { printf '[setup %(%T)T] %s\n' -1 "$*"; }
[[ $EUID -eq 0 ]] || { echo "setup.sh must run as root" >&2; exit 1; }

mkdir -p "$CACHE_DIR" "$RUN_DIR" "$STATE_DIR"
# Two setup runs at once would race on the same base build.
exec 9>"$CACHE_DIR/.setup.lock"
flock 9

# ---------- packages ----------
PKGS=(debootstrap systemd-container apt-cacher-ng iproute2 openssh-client ssh-audit curl)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  if [[ -z $(find /var/lib/apt/lists -maxdepth 1 -name '*InRelease' -mmin -360 -print -quit) ]]; then
    apt-get update -qq || log "apt-get update reported errors (unreachable third-party sources?), continuing"
  fi
  # Without systemd, apt-cacher-ng's postinst would start it on all interfaces: deny service starts.
  added_policy=
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && added_policy=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  if [[ -n $added_policy ]]; then rm -f /usr/sbin/policy-rc.d; fi
fi

# ---------- bridge (no forwarding, no NAT: nothing leaves it) ----------
if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
  log "creating bridge $BRIDGE $BRIDGE_ADDR/24"
  ip link add "$BRIDGE" type bridge
fi
ip -4 addr show dev "$BRIDGE" | grep -q "inet $BRIDGE_ADDR/" || ip addr add "$BRIDGE_ADDR/24" dev "$BRIDGE"
# Its own MAC, set once: without one the bridge takes its lowest port's MAC, so a host's veth joining or
# leaving changed it, and the running hosts' ARP entries for $BRIDGE_ADDR pointed at a MAC nobody answered
# (apt: "Could not connect to $BRIDGE_ADDR:$ACNG_PORT ... connection timed out").
[[ $(cat "/sys/class/net/$BRIDGE/address") == "$BRIDGE_MAC" && $(cat "/sys/class/net/$BRIDGE/addr_assign_type") == 3 ]] \
  || ip link set "$BRIDGE" address "$BRIDGE_MAC"
ip link set "$BRIDGE" up

# ---------- this machine's own Debian mirror (never a host name written here) ----------
# The URIs of this machine's apt sources: deb822 `URIs:` lines first, then one-line `deb` entries.
apt_uris() {
  { awk '$1 == "URIs:" { for (i = 2; i <= NF; i++) print $i }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true
    awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; break } }' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true
  } | sed 's#/*$##'
}
MIRROR=$(apt_uris | grep -v -- '-security$' | head -n 1)
SECURITY_MIRROR=$(apt_uris | grep -- '-security$' | head -n 1)
[[ -n $MIRROR ]] || { echo "setup.sh: no Debian mirror in this machine's apt sources (/etc/apt/sources.list.d/*.sources URIs:)" >&2; exit 1; }
[[ -n $SECURITY_MIRROR ]] || SECURITY_MIRROR="$MIRROR-security"

# ---------- apt-cacher-ng, bound to the bridge address only ----------
ACNG_CONF=/etc/apt-cacher-ng
acng_conf="# Written by phanes test/e2e/setup.sh: serve lab hosts on the bridge only.
BindAddress: $BRIDGE_ADDR
Port: $ACNG_PORT
# Only fetch through the configured Debian backends, never arbitrary URLs.
ForceManaged: 1"
acng_changed=
if [[ $(cat "$ACNG_CONF/zz_phanes_e2e.conf" 2>/dev/null) != "$acng_conf" ]]; then
  echo "$acng_conf" >"$ACNG_CONF/zz_phanes_e2e.conf" && acng_changed=1
fi
echo "$MIRROR/" >"$ACNG_CONF/backends_debian"
ACNG_RUN=/run/apt-cacher-ng
acng_up() { curl -fs -o /dev/null --max-time 3 "http://$BRIDGE_ADDR:$ACNG_PORT/acng-report.html"; }
if [[ -n $acng_changed ]] || ! acng_up; then  # (re)start on a config change or when it does not answer
  log "starting apt-cacher-ng on $BRIDGE_ADDR:$ACNG_PORT"
  start-stop-daemon --stop --quiet --pidfile "$ACNG_RUN/pid" --exec /usr/sbin/apt-cacher-ng --retry 10 || true
  install -d -m 0755 -o apt-cacher-ng -g apt-cacher-ng "$ACNG_RUN"
  start-stop-daemon --start --quiet --chuid apt-cacher-ng:apt-cacher-ng --pidfile "$ACNG_RUN/pid" \
    --exec /usr/sbin/apt-cacher-ng -- -c "$ACNG_CONF" pidfile="$ACNG_RUN/pid" SocketPath="$ACNG_RUN/socket" foreground=0 9>&-  # must not inherit the setup lock
  for _ in $(seq 50); do acng_up && break; sleep 0.2; done
  acng_up || { echo "apt-cacher-ng does not answer on $BRIDGE_ADDR:$ACNG_PORT" >&2; exit 1; }
fi
# Refuse to go on if it listens anywhere but the bridge (e.g. started by a stock init script).
if ss -Htlnp 'sport = :'"$ACNG_PORT" | grep -v "$BRIDGE_ADDR:$ACNG_PORT" | grep -q .; then
  echo "apt-cacher-ng listens beyond $BRIDGE_ADDR; stop it and rerun" >&2; exit 1
fi

# ---------- harness ssh key ----------
[[ -f $SSH_KEY ]] || ssh-keygen -q -t ed25519 -N '' -C phanes-e2e -f "$SSH_KEY"
chmod 600 "$SSH_KEY"

# ---------- cached bases ----------
INCLUDE=systemd,systemd-sysv,dbus,openssh-server,sudo,ca-certificates,iproute2
BASE_RECIPE=5  # bump when the recipe below changes: forces a rebuild

# Unmount anything left under a dir (a killed debootstrap leaves proc/sys mounted), then delete it.
remove_tree() {
  local d=$1
  [[ -e $d ]] || return 0
  { findmnt -rn -o TARGET | grep -F "$d/" || true; } | sort -r | while read -r m; do umount -l "$m" || true; done
  rm -rf --one-file-system "$d"
}

configure_base() { # $1 root dir, $2 suite
  local r=$1 suite=$2
  cat >"$r/etc/apt/sources.list" <<EOF
deb $MIRROR $suite main
deb $MIRROR $suite-updates main
deb $SECURITY_MIRROR $suite-security main
EOF
  rm -f "$r/etc/apt/sources.list.d/debian.sources"
  # Retries: on a fresh machine every package comes from the mirror through apt-cacher-ng, and one
  # dropped upstream connection must not fail a scenario.
  printf 'Acquire::http::Proxy "http://%s:%s";\nAcquire::Retries "3";\n' "$BRIDGE_ADDR" "$ACNG_PORT" >"$r/etc/apt/apt.conf.d/01phanes-e2e-proxy"
  install -d -m 700 "$r/root/.ssh"
  install -m 600 "$SSH_KEY.pub" "$r/root/.ssh/authorized_keys"
  # Each host gets its own machine id at boot, its hostname and /etc/hosts from the harness.
  : >"$r/etc/machine-id"
  rm -f "$r/var/lib/dbus/machine-id" "$r/etc/hostname"
  printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$r/etc/hosts"
  # No DNS in the lab: an empty resolv.conf fails fast instead of timing out on this machine's resolver.
  rm -f "$r/etc/resolv.conf"; echo "# phanes lab host: no DNS" >"$r/etc/resolv.conf"
  chroot "$r" apt-get clean
  echo "$stamp" >"$r/.phanes-e2e-base"
  echo "$MIRROR $SECURITY_MIRROR" >"$r/.phanes-e2e-mirror"
}

# base-<suite> is a symlink to a version dir base-<suite>.XXXXXX. A rebuild swaps the link atomically
# (an interrupted build never leaves a broken cache), and an old version stays on disk while a running
# host's overlay still uses it as its lower dir.
build_base() { # $1 suite
  local suite=$1 link="$CACHE_DIR/base-$1" version
  BUILD_TMP=$(mktemp -d "$CACHE_DIR/.build-$suite.XXXXXX")
  local tmp=$BUILD_TMP
  trap 'remove_tree "$BUILD_TMP"' EXIT  # global: the trap may run after this function returned
  log "debootstrap $suite (through apt-cacher-ng)"
  http_proxy="http://$BRIDGE_ADDR:$ACNG_PORT" debootstrap --variant=minbase --include="$INCLUDE" \
    --keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
    "$suite" "$tmp/root" "$MIRROR" >"$tmp/debootstrap.log" 2>&1 \
    || { tail -30 "$tmp/debootstrap.log" >&2; exit 1; }
  configure_base "$tmp/root" "$suite"
  chmod 755 "$tmp/root"
  version=$(mktemp -d "$link.XXXXXX")
  mv -T "$tmp/root" "$version"
  ln -s "${version##*/}" "$tmp/link"
  [[ -d $link && ! -L $link ]] && mv -T "$link" "$link.legacy"  # the layout before versions
  mv -T "$tmp/link" "$link"
  remove_tree "$tmp"
  trap - EXIT
}

prune_bases() { # $1 suite: drop versions that are neither current nor the lower dir of a mounted overlay
  local current d; current=$(readlink -f "$CACHE_DIR/base-$1")
  for d in "$CACHE_DIR/base-$1".*; do
    [[ -d $d && $d != "$current" ]] || continue
    # Mount options keep the path given at mount time: legacy overlays name the link path itself.
    if [[ $d == *.legacy ]]; then grep -qF "lowerdir=$CACHE_DIR/base-$1," /proc/mounts && continue
    else grep -qF "lowerdir=$d," /proc/mounts && continue; fi
    remove_tree "$d" && log "removed unused base ${d##*/}"
  done
}

for d in "$CACHE_DIR"/.build-*; do [[ -d $d ]] && remove_tree "$d"; done  # leftovers of killed builds
for suite in $SUITES; do
  stamp="recipe=$BASE_RECIPE include=$INCLUDE key=$(cut -d' ' -f2 "$SSH_KEY.pub") proxy=$BRIDGE_ADDR:$ACNG_PORT"
  # A base names its mirror in its sources: one built from another mirror is rebuilt (older bases did not record it).
  mirror_file="$CACHE_DIR/base-$suite/.phanes-e2e-mirror"
  if [[ $(cat "$CACHE_DIR/base-$suite/.phanes-e2e-base" 2>/dev/null) == "$stamp" ]] \
    && { [[ ! -e $mirror_file ]] || [[ $(cat "$mirror_file") == "$MIRROR $SECURITY_MIRROR" ]]; }; then
    log "base $suite cached"
  else
    t0=$SECONDS; build_base "$suite"; log "base $suite built in $((SECONDS - t0)) s"
  fi
  prune_bases "$suite"
done
log "ready"

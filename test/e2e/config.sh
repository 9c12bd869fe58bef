# Shared by setup.sh, leakcheck.sh and harness/config.ts (which parses these KEY=value lines: keep them plain).
BRIDGE=phanesbr0
SUBNET_PREFIX=10.157.83
BRIDGE_ADDR=10.157.83.1
# Set by hand: a bridge with no MAC of its own takes its lowest port's, which changes as hosts come and go.
BRIDGE_MAC=02:70:68:00:00:01
ACNG_PORT=3142
CACHE_DIR=/var/cache/phanes-e2e
RUN_DIR=/var/tmp/phanes-e2e
STATE_DIR=/run/phanes-e2e
CGROUP_NAME=phanes-e2e
SSH_KEY=/var/cache/phanes-e2e/id_ed25519
SUITES="bookworm trixie"

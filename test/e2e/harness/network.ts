// A host's network: its own netns holding `host0`, the peer of a veth whose other end sits in the bridge.
// No default route and no forwarding: a host reaches only the bridge (apt-cacher-ng) and other hosts.
import { config } from './config.js';
import { run, tryRun } from './sys.js';

export interface HostNet {
  netns: string;
  veth: string;
  address: string;
  /** host0's MAC, fixed per address (locally administered): see createNet. */
  mac: string;
}

export function netNames(octet: number): HostNet {
  return {
    netns: `phanes-n${octet}`,
    veth: `phanes-v${octet}`,
    address: `${config.subnetPrefix}.${octet}`,
    mac: `02:70:68:00:00:${octet.toString(16).padStart(2, '0')}`,
  };
}

export function createNet(octet: number): HostNet {
  const net = netNames(octet);
  destroyNet(net); // leftovers of a killed run that held the same octet
  const peer = `phanes-p${octet}`;
  const inNs = (...args: string[]): string => run('ip', ['-n', net.netns, ...args]);
  run('ip', ['netns', 'add', net.netns]);
  // An address is handed to the next host as soon as one goes down. With a new MAC each time, this
  // machine's neighbour cache kept sending to the old one for up to ~30 s: sshd "took" 25 s to
  // answer, and apt in the new host timed out reaching apt-cacher-ng. One MAC per address avoids it.
  run('ip', ['link', 'add', net.veth, 'type', 'veth', 'peer', 'name', peer, 'address', net.mac]);
  run('ip', ['link', 'set', peer, 'netns', net.netns]);
  inNs('link', 'set', peer, 'name', 'host0');
  inNs('addr', 'add', `${net.address}/24`, 'dev', 'host0');
  inNs('link', 'set', 'lo', 'up');
  inNs('link', 'set', 'host0', 'up');
  run('ip', ['link', 'set', net.veth, 'master', config.bridge, 'up']);
  return net;
}

/** Idempotent: deleting the netns destroys host0 and with it the veth pair. */
export function destroyNet(net: HostNet): void {
  tryRun('ip', ['netns', 'delete', net.netns]);
  tryRun('ip', ['link', 'delete', net.veth]);
  tryRun('ip', ['neigh', 'flush', 'to', net.address, 'dev', config.bridge]);
}

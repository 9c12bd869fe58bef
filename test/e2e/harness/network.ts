// A host's network: its own netns holding `host0`, the peer of a veth whose other end sits in the bridge.
// No default route and no forwarding: a host reaches only the bridge (apt-cacher-ng) and other hosts.
import { config } from './config.js';
import { run, tryRun } from './sys.js';

export interface HostNet {
  netns: string;
  veth: string;
  address: string;
}

export function netNames(octet: number): HostNet {
  return {
    netns: `phanes-n${octet}`,
    veth: `phanes-v${octet}`,
    address: `${config.subnetPrefix}.${octet}`,
  };
}

export function createNet(octet: number): HostNet {
  const net = netNames(octet);
  destroyNet(net); // leftovers of a killed run that held the same octet
  const peer = `phanes-p${octet}`;
  const inNs = (...args: string[]): string => run('ip', ['-n', net.netns, ...args]);
  run('ip', ['netns', 'add', net.netns]);
  run('ip', ['link', 'add', net.veth, 'type', 'veth', 'peer', 'name', peer]);
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
}

import type { Config } from '../src/config/index.js';
import type { MonitoringAgent } from '../src/config/schema.js';
import type { Module, ModuleContext } from '../src/engine/module.js';
import type { SystemFacts } from '../src/facts/system.js';
import { render } from '../src/render.js';
import { aptRepo, type AptRepoSpec } from '../src/resources/apt-repo.js';
import { file } from '../src/resources/file.js';
import { pkg } from '../src/resources/package.js';
import { service } from '../src/resources/service.js';
import type { Decl } from '../src/resources/types.js';
import { openPorts } from './security/firewall.js';

export const NETDATA_CONF = '/etc/netdata/netdata.conf';
export const NODE_EXPORTER_DEFAULTS = '/etc/default/prometheus-node-exporter';

/** Each agent: its package and unit, the config file Phanes renders, and its port. */
export const AGENTS: Record<MonitoringAgent, { package: string; unit: string; file: string; template: string; port: number }> = {
  netdata: { package: 'netdata', unit: 'netdata', file: NETDATA_CONF, template: 'monitoring/netdata.conf.liquid', port: 19999 },
  'node-exporter': {
    package: 'prometheus-node-exporter', unit: 'prometheus-node-exporter', file: NODE_EXPORTER_DEFAULTS,
    template: 'monitoring/prometheus-node-exporter.liquid', port: 9100,
  },
};

/** Suites whose own archive has no netdata (checked: trixie dropped it; bookworm has 1.37). */
const NO_DISTRO_NETDATA: Record<string, string> = { trixie: 'Debian 13 (trixie)' };

/** Netdata's own apt repository: a flat repository per distribution and codename. */
export function netdataRepo(system: Pick<SystemFacts, 'distro' | 'codename'>): AptRepoSpec {
  return {
    name: 'netdata',
    keyUrl: 'https://repository.netdata.cloud/netdatabot.gpg.key',
    uri: `https://repository.netdata.cloud/repos/stable/${system.distro}/`,
    suites: [`${system.codename}/`],
    components: [],
  };
}

/** `127.0.0.1` → `127.0.0.1:9100`; an IPv6 address goes in brackets. */
const hostPort = (address: string, port: number): string => `${address.includes(':') ? `[${address}]` : address}:${port}`;
const loopback = (address: string): boolean => address.startsWith('127.') || address === '::1';

/** The agent's config file, rendered from its template. */
export function agentConfig(m: Config['monitoring']): string {
  const agent = AGENTS[m.agent];
  const listen = m.agent === 'netdata' ? (m.bind.includes(':') ? `[${m.bind}]` : m.bind) : hostPort(m.bind, agent.port);
  return render(agent.template, { listen, port: agent.port });
}

function refusals({ config, system }: Pick<ModuleContext, 'config' | 'system'>): string[] {
  const m = config.monitoring;
  if (!m.enabled) return [];
  const out: string[] = [];
  const suite = NO_DISTRO_NETDATA[system.codename];
  if (m.agent === 'netdata' && m.source === 'distro' && suite) {
    out.push(`monitoring.agent: netdata with monitoring.source: distro, but ${suite} ships no netdata package. Either set monitoring.source: upstream (Netdata's own apt repository), or set monitoring.agent: node-exporter (prometheus-node-exporter, from ${suite}).`);
  }
  if (m.agent === 'node-exporter' && m.source === 'upstream') {
    out.push('monitoring.source: upstream, but Prometheus publishes no apt repository for the node exporter. Set monitoring.source: distro (prometheus-node-exporter is in Debian and Ubuntu), or monitoring.agent: netdata.');
  }
  if (m.allow_from.length && loopback(m.bind)) {
    out.push(`monitoring.allow_from opens port ${AGENTS[m.agent].port} to ${m.allow_from.join(', ')}, but monitoring.bind is ${m.bind}, so the agent does not listen there. Set monitoring.bind: 0.0.0.0 (or this server's address), or leave allow_from empty.`);
  }
  return out;
}

export const monitoring: Module = {
  name: 'monitoring',
  description: 'monitoring agent (Netdata or node exporter)',
  resources(ctx) {
    const m = ctx.config.monitoring;
    if (!m.enabled) return [];
    const agent = AGENTS[m.agent];
    const unit = `service:${agent.unit}`;
    const decls: Decl[] = [
      ...(m.source === 'upstream' && m.agent === 'netdata' ? aptRepo(netdataRepo(ctx.system)) : []),
      pkg(agent.package),
      file(agent.file, { content: agentConfig(m), notify: [unit] }),
      service(agent.unit, { onChange: 'restart' }),
      ...openPorts(ctx, m.allow_from.map((from) => `${agent.port}/tcp from ${from}`)),
    ];
    return decls;
  },
  preflight: refusals,
};

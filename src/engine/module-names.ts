/** The 13 modules of the product, in run order (a light list: naming modules must not load them). */
export const ALL_MODULE_NAMES = [
  'baseline', 'user', 'security', 'swap', 'updates', 'docker', 'monitoring', 'nginx', 'caddy', 'postgres', 'redis', 'devtools', 'coolify',
] as const;

// Issue 10: the monitoring module on booted bookworm (Netdata) and trixie (node exporter) hosts.
// The devtools part is devtools.e2e.ts; both share monitoring-devtools-lab.ts.
import { scenario } from './monitoring-devtools-lab.js';

scenario('monitoring');

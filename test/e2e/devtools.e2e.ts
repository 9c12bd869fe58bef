// Issue 10: the devtools module on booted bookworm and trixie hosts (see monitoring-devtools-lab.ts).
import { scenario } from './monitoring-devtools-lab.js';

scenario('devtools');

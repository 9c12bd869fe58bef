import { configJsonSchema } from '../config/index.js';
import type { CommandIO } from './io.js';

/** `phanes schema`: the config's JSON Schema, for editors. */
export function schema(io: CommandIO): number {
  io.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
  return 0;
}

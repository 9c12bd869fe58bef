import { RefusedError } from '../errors.js';
import type { Host, RunResult } from './host.js';
import { HostWrapper } from './wrapper.js';

/** Plan's host: reads pass through to the real host, every write is refused. */
export class ReadOnlyHost extends HostWrapper {
  override readonly readOnly = true;
  constructor(inner: Host) {
    super(inner);
  }

  override run(argv: readonly string[]): Promise<RunResult> {
    return refuse(argv.join(' '));
  }
  override writeFile(path: string): Promise<void> {
    return refuse(`write ${path}`);
  }
  override removeFile(path: string): Promise<void> {
    return refuse(`remove ${path}`);
  }
  override symlink(_target: string, path: string): Promise<void> {
    return refuse(`symlink ${path}`);
  }
  override mkdir(path: string): Promise<void> {
    return refuse(`mkdir ${path}`);
  }
  override chmod(path: string): Promise<void> {
    return refuse(`chmod ${path}`);
  }
  override chown(path: string): Promise<void> {
    return refuse(`chown ${path}`);
  }
}

async function refuse(what: string): Promise<never> {
  throw new RefusedError(`plan tried to change the host (${what}); this is a bug in Phanes`, {
    suggestion: 'report it; nothing was changed',
  });
}

import type { ConfigIssue } from '../errors.js';

/** The largest config file Phanes reads: a full config with comments is under 20 KB. */
export const MAX_CONFIG_BYTES = 1024 ** 2;

/**
 * What makes a file unusable as a config before it is parsed: nothing in it (a write that was cut
 * off, or `> config.yaml` by mistake), or bytes that are not text (a binary named by mistake).
 * A file of comments only is fine: it asks for the defaults on purpose.
 */
export function fileIssue(bytes: Buffer): ConfigIssue | undefined {
  if (bytes.toString('utf8').trim() === '') {
    return { path: '', line: 1, column: 1, message: 'the file is empty', suggestion: 'write the settings you want (see config.yaml.example), or a comment such as `# defaults` to use the defaults on purpose' };
  }
  const nul = bytes.indexOf(0);
  let bad = nul;
  if (bad < 0) {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      bad = firstInvalidUtf8(bytes);
    }
  }
  if (bad < 0) return undefined;
  const before = bytes.subarray(0, bad);
  const line = before.filter((b) => b === 0x0a).length + 1;
  const column = bad - (before.lastIndexOf(0x0a) + 1) + 1;
  return { path: '', line, column, message: `the file is not text: ${nul >= 0 ? 'it holds a NUL byte' : 'it is not valid UTF-8'}`, suggestion: 'check the --config path names your YAML config, saved as UTF-8 text' };
}

// The offset where decoding breaks: the longest prefix that decodes cleanly, found by bisection.
function firstInvalidUtf8(bytes: Buffer): number {
  const ok = (n: number): boolean => {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, n), { stream: true });
      return true;
    } catch {
      return false;
    }
  };
  let [lo, hi] = [0, bytes.length];
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (ok(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

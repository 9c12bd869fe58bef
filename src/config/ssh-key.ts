/** OpenSSH public key lines: the shape the schema checks, and the decoding the schema cannot do. */

export const SSH_KEY_TYPES = [
  'ssh-ed25519',
  'ssh-rsa',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
] as const;

const typeAlternatives = SSH_KEY_TYPES.map((t) => t.replace(/\./g, '\\.')).join('|');

/**
 * `type base64 [comment]`. A body ending in `...` is a placeholder (the PRD's `AAAA...`): it passes
 * the shape check so an example config plans, but it is never treated as a usable login key.
 */
export const SSH_KEY_PATTERN = `^(?:${typeAlternatives})[ \\t]+[A-Za-z0-9+/]+(?:={0,2}|\\.\\.\\.)(?:[ \\t][^\\r\\n]*)?$`;

const parts = (line: string): { type: string; body: string } => {
  const [type = '', body = ''] = line.trim().split(/[ \t]+/);
  return { type, body };
};

/** True for a key line whose data is elided with `...`, as in documentation. */
export function isPlaceholderKey(line: string): boolean {
  return parts(line).body.endsWith('...');
}

/**
 * Decodes the key data and checks that it names the same algorithm as the line, which catches
 * keys truncated or mangled by copy and paste. Returns what is wrong, or undefined when it is fine.
 * Assumes the line already matched SSH_KEY_PATTERN.
 */
export function keyDataProblem(line: string): string | undefined {
  const { type, body } = parts(line);
  if (body.endsWith('...')) return undefined;
  const blob = Buffer.from(body, 'base64');
  if (blob.toString('base64') !== body) return 'its key data is not valid base64 (the key was probably cut or wrapped)';
  if (blob.length < 8) return 'its key data is too short to be a key';
  const nameLength = blob.readUInt32BE(0);
  const embedded = blob.subarray(4, 4 + nameLength).toString('latin1');
  if (embedded !== type) {
    return /^[\x20-\x7e]+$/.test(embedded) && embedded.length === nameLength
      ? `the line says ${type} but its key data is for ${embedded}`
      : 'its key data is damaged (it does not start with the key type)';
  }
  // An ed25519 blob is exactly: length + name + length + 32-byte point.
  if (type === 'ssh-ed25519' && blob.length !== 4 + 11 + 4 + 32) return 'its key data has the wrong length for ssh-ed25519 (was it truncated?)';
  return undefined;
}

import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

/** PostgreSQL's default for SCRAM (scram_iterations). */
export const SCRAM_ITERATIONS = 4096;

const hmac = (key: Buffer, text: string): Buffer => createHmac('sha256', key).update(text).digest();

/**
 * A PostgreSQL SCRAM-SHA-256 verifier (what pg_authid.rolpassword holds):
 * `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`, as RFC 5802 and 7677 define it.
 * Phanes computes it itself and sends only this, so the password never reaches the server, psql's
 * argv or its history. NFKC stands in for SASLprep (the same for any ASCII password).
 */
export function scramVerifier(password: string, salt: Buffer = randomBytes(16), iterations = SCRAM_ITERATIONS): string {
  const salted = pbkdf2Sync(Buffer.from(password.normalize('NFKC'), 'utf8'), salt, iterations, 32, 'sha256');
  const storedKey = createHash('sha256').update(hmac(salted, 'Client Key')).digest();
  const serverKey = hmac(salted, 'Server Key');
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

const VERIFIER = /^SCRAM-SHA-256\$(\d+):([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$/;

/**
 * Whether `verifier` was made from `password`: derived again with its own salt and iteration count,
 * so a change of password is seen without Phanes ever storing the password or a hash of it.
 */
export function verifierMatches(password: string, verifier: string | null | undefined): boolean {
  const m = VERIFIER.exec(verifier ?? '');
  if (!m) return false;
  const again = scramVerifier(password, Buffer.from(m[2]!, 'base64'), Number(m[1]));
  return again.length === verifier!.length && timingSafeEqual(Buffer.from(again), Buffer.from(verifier!));
}

/** Whether a stored rolpassword is a SCRAM verifier (not md5, not empty). */
export const isScram = (verifier: string | null | undefined): boolean => VERIFIER.test(verifier ?? '');

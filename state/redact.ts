/** The text that stands in for a secret in the journal. */
export const REDACTED = '<redacted>';

/**
 * Builds a function that replaces every secret inside an event's data (strings, numbers, and the keys of
 * nested objects) with `<redacted>`. Working on values rather than on the serialized line means the output is always
 * valid JSON, and a secret is caught however JSON would escape it (quotes, backslashes).
 */
export function makeRedactor(secrets: readonly string[]): <T>(value: T) => T {
  const list = secretList(secrets);
  if (list.length === 0) return (value) => value;
  const text = (s: string): string => replaceAll(s, list);

  // depth 0 is the event's data: its keys are the schema's field names and are left alone.
  const walk = (value: unknown, depth: number): unknown => {
    if (typeof value === 'string') return text(value);
    if (typeof value === 'number') return list.some((s) => String(value).includes(s)) ? REDACTED : value;
    if (Array.isArray(value)) return value.map((v) => walk(v, depth + 1));
    if (typeof value === 'object' && value !== null) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[depth >= 1 ? text(k) : k] = walk(v, depth + 1);
      return out;
    }
    return value;
  };
  // walk preserves the shape of T except for swapped strings; the cast restores the caller's type.
  return <T>(value: T): T => walk(value, 0) as T;
}

// Longest first, so a secret that contains a shorter one is replaced whole.
const secretList = (secrets: readonly string[]): string[] => [...new Set(secrets.filter((s) => s.length > 0))].sort((a, b) => b.length - a.length);

function replaceAll(text: string, list: readonly string[]): string {
  let out = text;
  for (const secret of list) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  return out;
}

/** Replace every secret value in a text (an error, a diff, a command line) with `<redacted>`. */
export function redactText(text: string, secrets: readonly string[]): string {
  return replaceAll(text, secretList(secrets));
}

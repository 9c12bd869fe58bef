import type { Host } from '../host/host.js';

const ARCHIVE = '/usr/lib/locale/locale-archive';
const LOCALE_DIR = '/usr/lib/locale';
const AR_MAGIC = 0xde020109;

/**
 * The locale names in a glibc locale-archive, as `localedef --list-archive` prints them: the header
 * (struct locarhead) gives the name hash table, whose used entries (a locale record) point at the names.
 */
export function archiveLocales(archive: Buffer): string[] {
  if (archive.length < 56) return [];
  const le = archive.readUInt32LE(0) === AR_MAGIC;
  if (!le && archive.readUInt32BE(0) !== AR_MAGIC) return [];
  const u32 = (at: number): number => (le ? archive.readUInt32LE(at) : archive.readUInt32BE(at));
  const hashAt = u32(8);
  const hashSize = u32(16);
  const names: string[] = [];
  for (let i = 0; i < hashSize; i++) {
    const entry = hashAt + i * 12; // hashval, name_offset, locrec_offset
    if (entry + 12 > archive.length) break;
    const nameAt = u32(entry + 4);
    if (u32(entry + 8) === 0 || nameAt >= archive.length) continue;
    const end = archive.indexOf(0, nameAt);
    names.push(archive.toString('latin1', nameAt, end < 0 ? archive.length : end));
  }
  return names.sort();
}

/**
 * Whether `locale -a` would list `name` (case-insensitively, as `grep -ix` matched it): a locale in the
 * archive, or a compiled locale directory under /usr/lib/locale. Two file reads, no process.
 */
export async function localeAvailable(host: Host, name: string): Promise<boolean> {
  const [files, dirs] = await Promise.all([host.readFiles([ARCHIVE]), host.listDirs([LOCALE_DIR])]);
  const want = name.toLowerCase();
  const archive = files.get(ARCHIVE);
  const names = [...(archive ? archiveLocales(archive) : []), ...(dirs.get(LOCALE_DIR) ?? [])];
  return names.some((n) => n.toLowerCase() === want);
}

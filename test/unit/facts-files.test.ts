// Facts read from files instead of processes: the locale archive, dpkg's stat overrides, a swap
// signature, the psql binary, the apt lists' age. Each answers what the command it replaced answered.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hasStatOverride, NUKE_SCRIPT } from '../../modules/docker.js';
import { archiveLocales, localeAvailable } from '../../src/facts/locales.js';
import { psqlBinary } from '../../src/resources/pg.js';
import { hasSwapSignature } from '../../src/resources/swapfile.js';
import { FixtureHost } from './support/fixture-host.js';

/** A locale-archive as glibc lays it out: header, name hash table (hash, name offset, record offset), strings. */
function archive(names: string[], unused = 1): Buffer {
  const header = 56;
  const slots = names.length + unused;
  const stringsAt = header + slots * 12;
  const strings = Buffer.from(names.map((n) => `${n}\0`).join(''), 'latin1');
  const buf = Buffer.alloc(stringsAt + strings.length);
  buf.writeUInt32LE(0xde020109, 0);
  buf.writeUInt32LE(header, 8); // namehash_offset
  buf.writeUInt32LE(names.length, 12); // namehash_used
  buf.writeUInt32LE(slots, 16); // namehash_size
  let at = stringsAt;
  names.forEach((n, i) => {
    const slot = header + (i + unused) * 12; // the empty slots come first, as in a real hash table
    buf.writeUInt32LE(0x1234 + i, slot);
    buf.writeUInt32LE(at, slot + 4);
    buf.writeUInt32LE(4096, slot + 8);
    at += n.length + 1;
  });
  strings.copy(buf, stringsAt);
  return buf;
}

describe('facts from files', () => {
  it('lists the locales of a locale-archive as localedef --list-archive does, skipping empty slots', () => {
    assert.deepEqual(archiveLocales(archive(['en_US.utf8', 'de_DE.utf8'])), ['de_DE.utf8', 'en_US.utf8']);
    assert.deepEqual(archiveLocales(Buffer.from('not an archive, just text long enough to have a header of 56 bytes')), []);
  });
  it('finds a locale in the archive or as a directory, case-insensitively, without a process', async () => {
    const host = new FixtureHost({ files: {
      '/usr/lib/locale/locale-archive': { content: archive(['en_US.utf8']) },
      '/usr/lib/locale/C.utf8/LC_CTYPE': { content: 'x' },
    } });
    assert.equal(await localeAvailable(host, 'en_US.UTF8'), true);
    assert.equal(await localeAvailable(host, 'C.utf8'), true);
    assert.equal(await localeAvailable(host, 'de_DE.utf8'), false);
    assert.deepEqual(host.queries, []);
  });
  it('knows a dpkg stat override from /var/lib/dpkg/statoverride', async () => {
    const with_ = new FixtureHost({ files: { '/var/lib/dpkg/statoverride': { content: `root crontab 2755 /usr/bin/crontab\nroot root 0644 ${NUKE_SCRIPT}\n` } } });
    const without = new FixtureHost({ files: { '/var/lib/dpkg/statoverride': { content: 'root crontab 2755 /usr/bin/crontab\n' } } });
    assert.equal(await hasStatOverride(with_, NUKE_SCRIPT), true);
    assert.equal(await hasStatOverride(without, NUKE_SCRIPT), false);
    assert.equal(await hasStatOverride(new FixtureHost({}), NUKE_SCRIPT), false);
  });
  it('finds mkswap\'s signature at the end of a 4 KiB or 64 KiB first page, and nothing in other bytes', () => {
    const page = (size: number, magic: string): Buffer => Buffer.concat([Buffer.alloc(size - 10), Buffer.from(magic), Buffer.alloc(100)]);
    assert.equal(hasSwapSignature(page(4096, 'SWAPSPACE2')), true);
    assert.equal(hasSwapSignature(page(65536, 'SWAPSPACE2')), true);
    assert.equal(hasSwapSignature(page(4096, 'SWAP-SPACE')), true);
    assert.equal(hasSwapSignature(page(4000, 'SWAPSPACE2')), false);
    assert.equal(hasSwapSignature(Buffer.alloc(0)), false);
  });
  it('runs the newest installed psql itself, and Debian\'s wrapper when none is installed', async () => {
    const host = new FixtureHost({ files: {
      '/usr/lib/postgresql/13/bin/psql': { content: 'x' }, '/usr/lib/postgresql/15/bin/psql': { content: 'x' }, '/usr/lib/postgresql/16/lib/x.so': { content: 'x' },
    } });
    assert.equal(await psqlBinary(host), '/usr/lib/postgresql/15/bin/psql');
    assert.equal(await psqlBinary(new FixtureHost({})), 'psql');
  });
});

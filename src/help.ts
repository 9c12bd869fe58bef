import type { Cli } from 'clipanion';

/** The general help's sections, in the order people use Phanes. Commands not listed go under "Other". */
const SECTIONS: readonly (readonly [string, readonly string[]])[] = [
  ['Change the host', ['apply', 'plan', 'confirm', 'rollback']],
  ['See what Phanes did', ['status', 'diff', 'log', 'state rebuild']],
  ['Config and modules', ['validate', 'schema', 'list']],
];

/** What the help needs of the CLI: a command's own `this.cli` has these as well. */
export type HelpSource = Pick<Cli, 'binaryName' | 'binaryLabel' | 'binaryVersion' | 'definitions' | 'format'>;

/**
 * `phanes --help`: the commands grouped by what they are for, one line each, options left to
 * `phanes <command> --help`. Clipanion's general usage repeats the shared options on every line and
 * sorts with a collator whose first use costs ~10 ms; this lists the same definitions.
 */
export function generalHelp(cli: HelpSource, colored: boolean): string {
  const format = cli.format(colored);
  const commands = new Map<string, { args: string; description: string }>();
  for (const d of cli.definitions()) {
    const name = d.path.slice(cli.binaryName.length).trim();
    // The default command (the seed's form) has no name; --version is listed in the footer.
    if (name === '' || name.startsWith('-')) continue;
    const args = (d.usage.match(/<[^>]+>|\[<[^>]+>\]/g) ?? []).join(' ');
    commands.set(name, { args, description: (d.description ?? '').trim() });
  }
  const listed = new Set(SECTIONS.flatMap(([, names]) => names));
  const sections = [...SECTIONS, ['Other', [...commands.keys()].filter((n) => !listed.has(n))] as const];
  const width = Math.max(...[...commands].map(([name, c]) => `${name} ${c.args}`.trim().length));

  let out = `${format.header([cli.binaryLabel ?? cli.binaryName, cli.binaryVersion].filter(Boolean).join(' - '))}\n\n`;
  out += `  ${format.bold('$')} ${cli.binaryName} <command> [options]\n`;
  for (const [title, names] of sections) {
    const present = names.filter((n) => commands.has(n));
    if (present.length === 0) continue;
    out += `\n${format.header(title)}\n`;
    for (const name of present) {
      const c = commands.get(name)!;
      out += `  ${format.bold(`${name} ${c.args}`.trim().padEnd(width))}  ${c.description}\n`;
    }
  }
  out += `
Every command takes --json (NDJSON, the summary last) and --state-dir DIR (default /var/lib/phanes).
Run \`${cli.binaryName} <command> --help\` for its options and examples, \`${cli.binaryName} --version\` for the build.
The original form works too: ${cli.binaryName} --profile <name> [--config FILE] [--dry-run], and ${cli.binaryName} --list.
`;
  return out;
}

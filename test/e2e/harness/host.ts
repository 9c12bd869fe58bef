// A lab host: a booted systemd-nspawn container on an overlay of a cached Debian base, in its own netns.
import { existsSync, readlinkSync, openSync, closeSync, readFileSync, readdirSync, rmSync, mkdirSync, writeFileSync, appendFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { execa } from 'execa';
import { allocateOctet, releaseOctet } from './addresses.js';
import { boundingSetLike, DROP_FORBIDDEN } from './caps.js';
import { cgroupDirs, createCgroups, removeCgroupTree } from './cgroups.js';
import { baseDir, baseLink, config, type Suite } from './config.js';
import { createNet, destroyNet, netNames } from './network.js';
import { mountOverlay, unmountOverlay } from './overlay.js';
import { track, untrack } from './registry.js';
import { isMountPoint, pidAlive, sleep } from './sys.js';

export interface BootOptions {
  suite: Suite;
  /** For docker-in-host: writable /proc/sys. Never CAP_SYS_TIME. */
  privileged?: boolean;
  name?: string;
  bootTimeoutMs?: number;
}

export interface ExecOptions {
  input?: string | Buffer;
  inputFile?: string;
  /** Throw when the exit code is not 0 (default true). */
  reject?: boolean;
  timeoutMs?: number;
  env?: Record<string, string>;
}

export interface SshOptions extends Omit<ExecOptions, 'env' | 'inputFile'> {
  user?: string;
  key?: string;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

const BASE_ENV = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  HOME: '/root',
  USER: 'root',
  LOGNAME: 'root',
  LANG: 'C.UTF-8',
  TERM: 'dumb',
  DEBIAN_FRONTEND: 'noninteractive',
};
const DEFAULT_TIMEOUT_MS = 10 * 60_000;
const POWEROFF_GRACE_MS = 15_000;
const GLOBAL_SYSCTL_DIRS = ['kernel', 'vm', 'fs', 'dev'];
const NAME_RE = /^[a-z0-9][a-z0-9-]{0,40}$/;

export class LabHost {
  #nspawnPid = 0;
  #leader = 0;
  #bset = '';
  #downing: Promise<void> | undefined;
  #released = false;
  /** How long each boot phase took, for the boot log line. */
  bootPhases = '';

  private constructor(
    readonly name: string,
    readonly suite: Suite,
    readonly octet: number,
    readonly privileged: boolean,
  ) {}

  get address(): string {
    return netNames(this.octet).address;
  }
  get runDir(): string {
    return path.join(config.runDir, this.name);
  }
  get rootDir(): string {
    return path.join(this.runDir, 'root');
  }
  get logFile(): string {
    return path.join(config.logDir, `${this.name}.log`);
  }
  /** PID (in this machine's namespace) of the host's systemd. */
  get pid(): number {
    return this.#leader;
  }

  static async boot(opts: BootOptions): Promise<LabHost> {
    if (!existsSync(path.join(baseLink(opts.suite), '.phanes-e2e-base'))) {
      throw new Error(`no cached ${opts.suite} base: run test/e2e/setup.sh first`);
    }
    const { octet, name } = allocateOctet((o) => opts.name ?? `phanes-${opts.suite}-${o}`);
    if (!NAME_RE.test(name)) {
      releaseOctet(octet);
      throw new Error(`invalid host name ${JSON.stringify(name)}`);
    }
    const host = new LabHost(name, opts.suite, octet, opts.privileged ?? false);
    if (isMountPoint(host.rootDir)) {
      releaseOctet(octet);
      throw new Error(`host ${name} is already running (${host.rootDir} is mounted)`);
    }
    track(host);
    const started = Date.now();
    try {
      await host.#start(opts.bootTimeoutMs ?? 120_000);
    } catch (err) {
      const log = existsSync(host.logFile) ? readFileSync(host.logFile, 'utf8').split('\n').slice(-30).join('\n') : '';
      await host.down().catch(() => {});
      throw new Error(`booting ${name} (${opts.suite}) failed: ${(err as Error).message}\n--- console ---\n${log}`, { cause: err });
    }
    console.log(`[e2e] booted ${name} (${opts.suite}${host.privileged ? ', privileged' : ''}) at ${host.address} in ${Date.now() - started} ms (${host.bootPhases})`);
    return host;
  }

  async #start(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    rmSync(this.runDir, { recursive: true, force: true }); // not mounted (checked): a dead run's leftovers
    const root = mountOverlay(baseDir(this.suite), this.runDir);
    writeFileSync(path.join(root, 'etc/hostname'), `${this.name}\n`);
    // sudo (and become-style tools) hang when the hostname does not resolve.
    appendFileSync(path.join(root, 'etc/hosts'), `127.0.1.1\t${this.name}\n${this.address}\t${this.name}\n`);
    // A throwaway host needs no fsync after every file dpkg unpacks: installs run several times faster.
    writeFileSync(path.join(root, 'etc/dpkg/dpkg.cfg.d/phanes-e2e-unsafe-io'), 'force-unsafe-io\n');
    const { netns } = createNet(this.octet);
    const cgroups = createCgroups(this.name);

    mkdirSync(config.logDir, { recursive: true });
    const log = openSync(this.logFile, 'w');
    const nspawnArgs = [
      '-D', root, '--boot', '--register=no', '--keep-unit',
      `--machine=${this.name}`, `--hostname=${this.name}`,
      `--network-namespace-path=/run/netns/${netns}`,
      '--capability=CAP_NET_ADMIN', '--drop-capability=CAP_SYS_TIME,CAP_SYS_MODULE',
      // read-only: the boot log reaches our log file (pipe mode shows nothing); no input needed.
      '--console=read-only', '--setenv=SYSTEMD_COLORS=0', '--resolv-conf=off', '--link-journal=no',
      // A writable /proc/sys would let a privileged host set this machine's global sysctls; only net/ is its own.
      ...(this.privileged ? GLOBAL_SYSCTL_DIRS.map((d) => `--bind-ro=/proc/sys/${d}`) : []),
      // runc needs two system calls nspawn's filter refuses with EPERM: keyctl (a session keyring for each
      // container) and bpf (the cgroup v2 device filter). Only privileged hosts, which run docker, get them.
      ...(this.privileged ? ['--system-call-filter=@keyring bpf'] : []),
    ];
    // The shell moves itself into the host's cgroups, then becomes nspawn (same pid).
    const script = `${cgroups.map((c) => `echo $$ > ${c}/cgroup.procs && `).join('')}exec "$@"`;
    // node's spawn, not execa: a detached daemon whose output goes to a log file, watched through its pid.
    const nspawn = spawn('sh', ['-c', script, 'sh',
      'setpriv', '--bounding-set', DROP_FORBIDDEN, '--', 'systemd-nspawn', ...nspawnArgs], {
      detached: true,
      stdio: ['ignore', log, log],
      env: { ...process.env, ...nspawnEnv(this.privileged) },
    });
    closeSync(log);
    nspawn.unref();
    this.#nspawnPid = nspawn.pid ?? 0;

    const t0 = Date.now();
    this.#leader = await this.#waitForLeader(deadline);
    this.#bset = boundingSetLike(this.#leader);
    const t1 = Date.now();
    await this.#waitForSystemd(deadline);
    const t2 = Date.now();
    await waitForSsh(this.address, deadline);
    this.bootPhases = `init ${t1 - t0} ms, systemd ${t2 - t1} ms, sshd ${Date.now() - t2} ms`;
  }

  async #waitForLeader(deadline: number): Promise<number> {
    const nspawnPid = this.#nspawnPid;
    const ownPidNs = readlinkSafe('/proc/self/ns/pid');
    while (Date.now() < deadline) {
      if (!pidAlive(nspawnPid)) throw new Error('systemd-nspawn exited during boot');
      for (const child of childrenOf(nspawnPid)) {
        // The host's init: in its own pid namespace and already exec'ed into systemd.
        const comm = readSafe(`/proc/${child}/comm`).trim();
        if (comm === 'systemd' && readlinkSafe(`/proc/${child}/ns/pid`) !== ownPidNs) return child;
      }
      await sleep(50);
    }
    throw new Error('timed out waiting for the container init');
  }

  async #waitForSystemd(deadline: number): Promise<void> {
    let state = '';
    while (Date.now() < deadline) {
      const r = await this.exec(['systemctl', 'is-system-running', '--wait'], {
        reject: false,
        timeoutMs: Math.max(1000, deadline - Date.now()),
      });
      state = r.stdout.trim();
      if (state === 'running' || state === 'degraded') return;
      if (state === 'maintenance' || state === 'stopping') break;
      await sleep(100); // systemd not up far enough to answer yet
    }
    throw new Error(`system state is "${state}", wanted running or degraded`);
  }

  /** Runs a command inside the host as root; a string runs under `bash -lc`. */
  async exec(cmd: string | string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const argv = typeof cmd === 'string' ? ['bash', '-lc', cmd] : cmd;
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const env = Object.entries({ ...BASE_ENV, ...opts.env }).map(([k, v]) => `${k}=${v}`);
    const r = await execa('setpriv', [
      '--bounding-set', this.#bset, '--inh-caps', '-all', '--',
      'nsenter', '-t', String(this.#leader), '--all', '--root', '--wd', '--',
      // timeout runs inside: killing nsenter from here would leave the command running in the host.
      'env', '-i', ...env, 'timeout', '--kill-after=5', `${Math.ceil(timeoutMs / 1000)}s`, ...argv,
    ], {
      input: opts.input,
      inputFile: opts.inputFile,
      reject: false,
      timeout: timeoutMs + 15_000,
      stripFinalNewline: false,
      maxBuffer: 256 * 1024 * 1024,
    });
    return checked(`[${this.name}] ${argv.join(' ')}`, r, opts.reject);
  }

  /** Runs a command over ssh from this machine to the host's bridge address. */
  async ssh(cmd: string, opts: SshOptions = {}): Promise<ExecResult> {
    const r = await execa('ssh', [
      '-i', opts.key ?? config.sshKey,
      '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'BatchMode=yes',
      '-o', 'ConnectTimeout=10', '-o', 'LogLevel=ERROR', '-o', 'IdentitiesOnly=yes',
      `${opts.user ?? 'root'}@${this.address}`, cmd,
    ], {
      input: opts.input,
      reject: false,
      timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      stripFinalNewline: false,
    });
    return checked(`[${this.name} ssh] ${cmd}`, r, opts.reject);
  }

  /** Copies a file of this machine into the host (through the host's own view of its filesystem). */
  async copyIn(localPath: string, remotePath: string, mode = 0o644): Promise<void> {
    await this.exec(writeScript(remotePath, mode), { inputFile: localPath });
  }

  async writeFile(remotePath: string, content: string | Buffer, mode = 0o644): Promise<void> {
    await this.exec(writeScript(remotePath, mode), { input: content });
  }

  async readFile(remotePath: string): Promise<string> {
    return (await this.exec(['cat', '--', remotePath])).stdout;
  }

  /** Powers the host off (SIGKILL after 15 s) and removes every trace of it. Idempotent. */
  down(): Promise<void> {
    this.#downing ??= this.#stop().finally(() => this.releaseSync());
    return this.#downing;
  }

  async #stop(): Promise<void> {
    const nspawnPid = this.#nspawnPid;
    if (nspawnPid && pidAlive(nspawnPid)) {
      process.kill(nspawnPid, 'SIGTERM'); // nspawn asks the host's systemd for an orderly poweroff
      const until = Date.now() + POWEROFF_GRACE_MS;
      while (pidAlive(nspawnPid) && Date.now() < until) await sleep(100);
    }
    this.#killAll();
    for (let i = 0; i < 100 && this.#anyAlive(); i++) await sleep(50);
  }

  #killAll(): void {
    for (const pid of [this.#nspawnPid, this.#leader]) {
      if (pid && pidAlive(pid)) process.kill(pid, 'SIGKILL'); // killing the pidns init ends every process in it
    }
  }

  #anyAlive(): boolean {
    return [this.#nspawnPid, this.#leader].some((p) => p && pidAlive(p));
  }

  /** Last-resort synchronous teardown, for process exit: kill, then release. */
  downSync(): void {
    this.#killAll();
    const until = Date.now() + 5000;
    while (this.#anyAlive() && Date.now() < until) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    this.releaseSync();
  }

  /** Unmounts, deletes netns/veth/cgroups/run dir and frees the address; collects errors and throws them together. */
  releaseSync(): void {
    if (this.#released) return;
    const errors: unknown[] = [];
    const attempt = (step: () => void): void => {
      try {
        step();
      } catch (err) {
        errors.push(err);
      }
    };
    attempt(() => unmountOverlay(this.rootDir));
    attempt(() => destroyNet(netNames(this.octet)));
    for (const dir of cgroupDirs(this.name)) attempt(() => removeCgroupTree(dir));
    // nspawn cannot rm this on a /run that is not tmpfs.
    attempt(() => rmSync(`/run/systemd/nspawn/propagate/${this.name}`, { recursive: true, force: true }));
    attempt(() => {
      if (isMountPoint(this.rootDir)) throw new Error(`${this.rootDir} still mounted, keeping ${this.runDir}`);
      rmSync(this.runDir, { recursive: true, force: true });
    });
    this.#released = true;
    releaseOctet(this.octet);
    untrack(this);
    if (errors.length) throw new AggregateError(errors, `teardown of ${this.name} left something behind`);
  }
}

function nspawnEnv(privileged: boolean): Record<string, string> {
  return {
    // Hosts see only cgroup2, like a real VPS: docker needs it (v1 controllers are read-only inside) and
    // systemd 257 (trixie) deprecates v1. Both suites boot this way with this machine's nspawn 252.
    SYSTEMD_NSPAWN_UNIFIED_HIERARCHY: '1',
    ...(privileged ? { SYSTEMD_NSPAWN_API_VFS_WRITABLE: 'yes' } : {}),
  };
}

function writeScript(remotePath: string, mode: number): string[] {
  const script = 'mkdir -p "$(dirname "$1")" && cat > "$1.phanes-tmp" && chmod "$2" "$1.phanes-tmp" && mv -f "$1.phanes-tmp" "$1"';
  return ['sh', '-c', script, 'sh', remotePath, mode.toString(8)];
}

function checked(what: string, r: { stdout: unknown; stderr: unknown; exitCode?: number | undefined; timedOut?: boolean; failed?: boolean }, reject = true): ExecResult {
  const result = { stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? ''), exitCode: r.exitCode ?? -1 };
  if (reject && result.exitCode !== 0) {
    const why = r.timedOut ? 'timed out' : `exited ${result.exitCode}`;
    // No `cause`: the reporter would print execa's whole result object and bury stderr in CI's log tail.
    throw new Error(`${what} ${why}\n${result.stderr.trim()}\n${result.stdout.trim()}`.trim());
  }
  return result;
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const tid of readdirSafe(`/proc/${pid}/task`)) {
    for (const c of readSafe(`/proc/${pid}/task/${tid}/children`).split(/\s+/)) if (c) out.push(Number(c));
  }
  return out;
}

async function waitForSsh(address: string, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    if (await sshBanner(address)) return;
    await sleep(100);
  }
  throw new Error(`sshd does not answer on ${address}:22`);
}

function sshBanner(address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: address, port: 22, timeout: 2000 });
    const done = (ok: boolean): void => {
      sock.destroy();
      resolve(ok);
    };
    sock.once('data', (d) => done(d.toString().startsWith('SSH-')));
    sock.once('error', () => done(false));
    sock.once('timeout', () => done(false));
  });
}

function readSafe(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
function readlinkSafe(file: string): string {
  try {
    return readlinkSync(file);
  } catch {
    return '';
  }
}

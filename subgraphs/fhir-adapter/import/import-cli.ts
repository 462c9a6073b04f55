import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { IMPORT_ORDER } from './ndjson.js';

/** `npm run fhir:import -- <folder> [--gateway URL] [--source S] [--token T]` */
export const IMPORT_USAGE = `Usage: npm run fhir:import -- <folder> [--gateway URL] [--source NAME] [--token TOKEN]
  Imports every <Type>.*.ndjson file of <folder> through the gateway's bulk import
  (POST /fhir/R4/$import), patients and practitioners first, one file at a time,
  and prints each file's report. The token is an admin's or a system client's
  (default: FHIR_IMPORT_TOKEN; outside production, a development admin token).`;

export class ImportUsageError extends Error {}

export interface ImportCliOptions {
  folder: string;
  gateway: string;
  source: string;
  token?: string;
}

export function parseImportArgs(argv: readonly string[], defaultGateway: string): ImportCliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        gateway: { type: 'string' },
        source: { type: 'string' },
        token: { type: 'string' },
      },
    });
  } catch (err) {
    throw new ImportUsageError(`${(err as Error).message}\n${IMPORT_USAGE}`);
  }
  const [folder, ...rest] = parsed.positionals;
  if (!folder || rest.length) throw new ImportUsageError(IMPORT_USAGE);
  const source = parsed.values.source ?? 'operator';
  if (!/^[A-Za-z0-9._:-]{1,100}$/.test(source))
    throw new ImportUsageError(`--source: 1–100 of A-Za-z0-9._:- \n${IMPORT_USAGE}`);
  return {
    folder,
    gateway: parsed.values.gateway ?? defaultGateway,
    source,
    ...(parsed.values.token ? { token: parsed.values.token } : {}),
  };
}

const typeOf = (file: string) => file.split('.')[0] ?? '';
const rank = (file: string) => {
  const i = IMPORT_ORDER.indexOf(typeOf(file));
  return i === -1 ? IMPORT_ORDER.length : i;
};

/** The folder's NDJSON files in reference order (patients, practitioners, encounters, the rest). */
export async function importFiles(folder: string): Promise<string[]> {
  const files = (await readdir(folder)).filter((f) => f.endsWith('.ndjson'));
  return files.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** One file's outcome as the status endpoint reports it. */
export interface FileReport {
  file: string;
  status: string;
  total: number;
  report: Record<string, unknown>;
  errors: { issue?: unknown[] };
}

/**
 * Imports a folder through the gateway, one file after another (each
 * waits for the one before, whose resources it may reference), polling
 * each job's status. Returns every file's report.
 */
export async function runImport(
  opts: ImportCliOptions & { token: string },
  onProgress: (file: string, progress: string) => void = () => undefined,
): Promise<FileReport[]> {
  const origin = new URL(opts.gateway).origin;
  const out: FileReport[] = [];
  for (const file of await importFiles(opts.folder)) {
    const lines = (await readFile(path.join(opts.folder, file), 'utf8')).split('\n');
    // Large files go in parts of PART_LINES lines, each a job of its own, numbered as in the file.
    for (let first = 0; first < lines.length; first += PART_LINES) {
      const part = lines.slice(first, first + PART_LINES);
      if (!part.some((l) => l.trim())) continue;
      out.push(await importPart(origin, opts, file, first + 1, part.join('\n'), onProgress));
    }
  }
  return out;
}

/** Lines per `$import` request: a large file goes in parts, well under the gateway's body limit. */
export const PART_LINES = 20_000;

async function importPart(
  origin: string,
  opts: ImportCliOptions & { token: string },
  file: string,
  firstLine: number,
  body: string,
  onProgress: (file: string, progress: string) => void,
): Promise<FileReport> {
  const query = new URLSearchParams({ source: opts.source, file, line: String(firstLine) });
  const res = await fetch(`${origin}/fhir/R4/$import?${query.toString()}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${opts.token}`, 'content-type': 'application/fhir+ndjson' },
    body,
  });
  if (res.status !== 202)
    throw new Error(`${file}: the import was refused (${res.status}: ${await res.text()})`);
  const status = res.headers.get('content-location')!;
  for (;;) {
    const s = await fetch(`${origin}${status}`, {
      headers: { authorization: `Bearer ${opts.token}` },
    });
    if (s.status === 200) return { file, ...((await s.json()) as Omit<FileReport, 'file'>) };
    if (s.status !== 202) throw new Error(`${file}: status ${s.status}: ${await s.text()}`);
    onProgress(file, s.headers.get('x-progress') ?? '');
    await new Promise((r) => setTimeout(r, 500));
  }
}

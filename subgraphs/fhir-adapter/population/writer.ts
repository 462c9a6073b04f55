import fs from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { finished } from 'node:stream/promises';

/** The resource types a population holds, in the order the summary lists them. */
export const RESOURCE_TYPES = [
  'Patient',
  'Encounter',
  'Condition',
  'Observation',
  'Procedure',
  'Immunization',
  'MedicationRequest',
  'MedicationStatement',
  'AllergyIntolerance',
] as const;

export type ResourceType = (typeof RESOURCE_TYPES)[number];

const FLUSH_AT = 1 << 20;

/**
 * Bulk Data NDJSON files, one per type (`<Type>.000.ndjson`), each written
 * through its own stream in ~1 MB chunks. Call `drain` between patients so
 * memory stays flat however large the population.
 */
export class NdjsonWriter {
  private readonly streams = new Map<string, fs.WriteStream>();
  private readonly pending = new Map<string, string[]>();
  private readonly pendingBytes = new Map<string, number>();
  readonly counts = new Map<string, number>(RESOURCE_TYPES.map((t) => [t, 0]));

  constructor(private readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true });
    for (const type of RESOURCE_TYPES) {
      this.streams.set(type, fs.createWriteStream(this.file(type)));
      this.pending.set(type, []);
      this.pendingBytes.set(type, 0);
    }
  }

  private file(type: string): string {
    return path.join(this.dir, `${type}.000.ndjson`);
  }

  write(resource: { resourceType: string }): void {
    const type = resource.resourceType;
    const lines = this.pending.get(type);
    if (!lines) throw new Error(`No file for resource type ${type}`);
    const line = `${JSON.stringify(resource)}\n`;
    lines.push(line);
    this.pendingBytes.set(type, this.pendingBytes.get(type)! + line.length);
    this.counts.set(type, this.counts.get(type)! + 1);
  }

  /** Hands full chunks to their streams and waits for any stream that is backed up. */
  async drain(force = false): Promise<void> {
    const waits: Promise<unknown>[] = [];
    for (const [type, lines] of this.pending) {
      if (!lines.length || (!force && this.pendingBytes.get(type)! < FLUSH_AT)) continue;
      const stream = this.streams.get(type)!;
      if (!stream.write(lines.join(''))) waits.push(once(stream, 'drain'));
      this.pending.set(type, []);
      this.pendingBytes.set(type, 0);
    }
    await Promise.all(waits);
  }

  /** Flushes and closes every file; types with no resources leave no file, as in a bulk export. */
  async close(): Promise<void> {
    await this.drain(true);
    await Promise.all([...this.streams.values()].map((s) => finished(s.end())));
    for (const [type, n] of this.counts) if (n === 0) fs.rmSync(this.file(type), { force: true });
  }
}

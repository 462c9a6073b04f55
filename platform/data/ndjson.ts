import fs from 'node:fs';

/** The records of a newline-delimited JSON file (a FHIR Bulk Data export file, say); blank lines skipped. */
export function readNdjson<T>(file: string): T[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as T);
}

import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';

/** One data row of a CSV file, by header name, with the line it came from. */
export interface CsvRecord {
  /** File name as given (for messages). */
  file: string;
  /** 1-based line in the file where the record ends (the header is line 1). */
  line: number;
  values: Readonly<Record<string, string>>;
  /** Set when the row's shape is wrong (too few fields, or text past the last column). */
  problem?: string;
}

/**
 * Reads a CSV file with a header row. Handles a UTF-8 byte order mark, CRLF,
 * quoted fields (commas and quotes inside), blank lines, and a trailing empty
 * field past the header (Synthea's payer rows end in a comma). A file that is
 * not CSV (an unclosed quote, say) throws naming the file; a row of the wrong
 * shape is returned with `problem` so the caller can reject just that row.
 */
export function readCsv(file: string): CsvRecord[] {
  const name = path.basename(file);
  let rows: { record: string[]; info: { lines: number } }[];
  try {
    rows = parse(fs.readFileSync(file), {
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      // With `info`, csv-parse returns { record, info } per row; its typings do not say so.
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (err) {
    throw new Error(`${name}: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
  const [head, ...data] = rows;
  if (!head) throw new Error(`${name}: no header row`);
  const header = head.record.map((h) => h.trim());
  return data.map(({ record, info }) => {
    const values: Record<string, string> = {};
    header.forEach((h, i) => {
      const v = record[i];
      if (v !== undefined) values[h] = v;
    });
    const out: CsvRecord = { file: name, line: info.lines, values };
    if (record.length < header.length)
      out.problem = `${header.length} fields expected, ${record.length} found`;
    else if (record.slice(header.length).some((v) => v.trim() !== ''))
      out.problem = `text past the last column (${header.length} fields expected)`;
    return out;
  });
}

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { groupBy } from './group-by.js';
import { readNdjson } from './ndjson.js';

describe('platform/data', () => {
  it('groups rows under the requested keys, in their order, empty where none', () => {
    const rows = [
      { k: 'b', v: 1 },
      { k: 'a', v: 2 },
      { k: 'b', v: 3 },
      { k: 'z', v: 4 },
    ];
    expect(groupBy(['a', 'b', 'c'], rows, (r) => r.k)).toEqual([[rows[1]], [rows[0], rows[2]], []]);
  });

  it('reads newline-delimited JSON, skipping blank lines', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ndjson-')), 'x.ndjson');
    fs.writeFileSync(file, '{"a":1}\n\n{"a":2}\n');
    expect(readNdjson<{ a: number }>(file)).toEqual([{ a: 1 }, { a: 2 }]);
  });
});

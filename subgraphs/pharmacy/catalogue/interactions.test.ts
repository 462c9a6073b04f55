import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_CATALOGUE } from './demo.js';
import { parseOncFile, parseWorldvistaFile, resolveInteractions } from './interactions.js';

describe('interaction sources', () => {
  it('reads the ONC file (BOM, CR/CRLF line ends) as HIGH pairs keyed by DrugBank id', () => {
    const onc = parseOncFile(DEMO_CATALOGUE.oncFile);
    expect(onc.rows).toHaveLength(1930);
    expect(onc.notes).toEqual([]);
    expect(onc.rows[0]).toMatchObject({
      source: 'ONC',
      ref: 'onc-high-priority-ddi.csv:1',
      a: { name: 'Sparfloxacin', drugbankId: 'DB01208' },
      b: { name: 'Erythromycin', drugbankId: 'DB00199' },
      severity: 'HIGH',
      mechanism: null,
    });
  });

  it('reads WorldVistA severities, descriptions and comments', () => {
    const wv = parseWorldvistaFile(DEMO_CATALOGUE.worldvistaFile);
    expect(wv.rows).toHaveLength(14);
    const duloxetine = wv.rows.find((r) => r.ref === 'Drug_Interaction_ID 535')!;
    expect(duloxetine).toMatchObject({
      a: { name: 'DULOXETINE', rxcui: '72625' },
      b: { name: 'FLUVOXAMINE', rxcui: '42355' },
      severity: 'CONTRAINDICATED',
      advice: null,
    });
    expect(duloxetine.mechanism).toMatch(/^Risk of increase/);
  });

  it('collapses both directions into one row a<b, keeps sources apart, reports what does not resolve', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ddi-'));
    const file = path.join(dir, 'onc.csv');
    fs.writeFileSync(file, '\uFEFFB$DB2$A$DB1$\r\nA$DB1$B$DB2$\rA$DB1$Nowhere$DB9$\n');
    const ids: Record<string, string> = { A: 'x1', B: 'x2' };
    const r = resolveInteractions(parseOncFile(file).rows, (s) => ids[s.name] ?? null);
    expect(r.rows).toEqual([
      expect.objectContaining({
        a: 'x1',
        b: 'x2',
        source: 'ONC',
        sourceRef: 'onc.csv:1; onc.csv:2',
      }),
    ]);
    expect(r.unresolved).toEqual([{ ref: 'onc.csv:3', problem: 'not in the catalogue: Nowhere' }]);
    fs.rmSync(dir, { recursive: true });
  });
});

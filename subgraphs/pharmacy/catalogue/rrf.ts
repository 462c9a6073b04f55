import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';

/**
 * RxNorm's release format (RRF): pipe-separated, one record a line, every
 * line ending in `|`. Columns, as the RxNorm technical documentation lists them:
 *
 * RXNCONSO: RXCUI|LAT|TS|LUI|STT|SUI|ISPREF|RXAUI|SAUI|SCUI|SDUI|SAB|TTY|CODE|STR|SRL|SUPPRESS|CVF
 * RXNREL:   RXCUI1|RXAUI1|STYPE1|REL|RXCUI2|RXAUI2|STYPE2|RELA|RUI|SRUI|SAB|SL|DIR|RG|SUPPRESS|CVF
 *
 * Direction: RxNorm follows the UMLS MRREL convention, "REL/RELA is the
 * relationship of the second concept (RXCUI2) to the first (RXCUI1)": a row
 * `RXCUI1=<IN> … RELA=has_ingredient … RXCUI2=<SCDC>` reads "the SCDC has
 * ingredient the IN" (NLM's RxNorm technical documentation, section on
 * RXNREL, and its RELA appendix; restated in NLM-derived RxNorm relationship
 * data sets as "the relationship which the SECOND concept has TO the FIRST").
 * Every relationship also appears inverted (`ingredient_of` with the CUIs
 * swapped); either row is enough here, and both are read.
 */
export const RXNCONSO_COLUMNS = [
  'RXCUI',
  'LAT',
  'TS',
  'LUI',
  'STT',
  'SUI',
  'ISPREF',
  'RXAUI',
  'SAUI',
  'SCUI',
  'SDUI',
  'SAB',
  'TTY',
  'CODE',
  'STR',
  'SRL',
  'SUPPRESS',
  'CVF',
] as const;
export const RXNREL_COLUMNS = [
  'RXCUI1',
  'RXAUI1',
  'STYPE1',
  'REL',
  'RXCUI2',
  'RXAUI2',
  'STYPE2',
  'RELA',
  'RUI',
  'SRUI',
  'SAB',
  'SL',
  'DIR',
  'RG',
  'SUPPRESS',
  'CVF',
] as const;

/** Term types kept from RXNCONSO (SAB=RXNORM). */
export const KEPT_TTYS = new Set([
  'IN',
  'PIN',
  'MIN',
  'SCD',
  'SBD',
  'GPCK',
  'BPCK',
  'SCDC',
  'SCDF',
  'DF',
]);
export const DRUG_TTYS = new Set(['SCD', 'SBD', 'GPCK', 'BPCK']);

/**
 * The relationships read, each as "subject RELA object" where the subject is
 * RXCUI2 (see above), and the inverse names with the CUIs swapped.
 */
const FORWARD = new Set([
  'has_ingredient',
  'has_precise_ingredient',
  'consists_of',
  'has_dose_form',
  'tradename_of',
  'form_of',
  'has_part',
  'contains',
]);
const INVERSE: Record<string, string> = {
  ingredient_of: 'has_ingredient',
  precise_ingredient_of: 'has_precise_ingredient',
  constitutes: 'consists_of',
  dose_form_of: 'has_dose_form',
  has_tradename: 'tradename_of',
  has_form: 'form_of',
  part_of: 'has_part',
  contained_in: 'contains',
};

/** What the importer keeps of a release. */
export interface RxnormRelease {
  /** Unsuppressed RXNORM atoms of the kept term types, one per concept. */
  concepts: Map<string, { tty: string; name: string }>;
  /** DrugBank ids of concepts (SAB=DRUGBANK atoms: CODE is the DrugBank id). */
  drugbank: Map<string, string[]>;
  /** subject → RELA → objects, both directions of each relationship folded into one. */
  edges: Map<string, Map<string, Set<string>>>;
}

/** Streams the records of an RRF file, one field array a line (the trailing `|` dropped). */
export async function* readRrf(file: string): AsyncGenerator<string[]> {
  const lines = readline.createInterface({
    input: fs.createReadStream(file, { encoding: 'utf8' }),
    crlfDelay: Infinity,
  });
  for await (const line of lines) {
    if (line === '') continue;
    const fields = line.split('|');
    if (fields[fields.length - 1] === '') fields.pop();
    yield fields;
  }
}

const kept = (suppress: string | undefined): boolean => !suppress || suppress === 'N';

function addEdge(
  edges: RxnormRelease['edges'],
  subject: string,
  rela: string,
  object: string,
): void {
  let byRela = edges.get(subject);
  if (!byRela) edges.set(subject, (byRela = new Map<string, Set<string>>()));
  let objects = byRela.get(rela);
  if (!objects) byRela.set(rela, (objects = new Set<string>()));
  objects.add(object);
}

/**
 * Reads RXNCONSO.RRF and RXNREL.RRF from `dir`, line by line (a full monthly
 * release is hundreds of MB; only the kept atoms and relationships are held).
 * Suppressed atoms and relationships (SUPPRESS other than N) are skipped.
 */
export async function readRxnormRelease(dir: string): Promise<RxnormRelease> {
  const concepts: RxnormRelease['concepts'] = new Map();
  const drugbank: RxnormRelease['drugbank'] = new Map();
  for await (const f of readRrf(path.join(dir, 'RXNCONSO.RRF'))) {
    const [rxcui, , , , , , , , , , , sab, tty, code, str, , suppress] = f;
    if (!rxcui || !tty || !kept(suppress)) continue;
    if (sab === 'RXNORM' && KEPT_TTYS.has(tty) && str && !concepts.has(rxcui)) {
      concepts.set(rxcui, { tty, name: str });
    } else if (sab === 'DRUGBANK' && code) {
      const ids = drugbank.get(rxcui) ?? [];
      if (!ids.includes(code)) ids.push(code);
      drugbank.set(rxcui, ids);
    }
  }
  const edges: RxnormRelease['edges'] = new Map();
  for await (const f of readRrf(path.join(dir, 'RXNREL.RRF'))) {
    const [rxcui1, , , , rxcui2, , , rela, , , sab, , , , suppress] = f;
    if (sab !== 'RXNORM' || !rxcui1 || !rxcui2 || !rela || !kept(suppress)) continue;
    if (FORWARD.has(rela)) addEdge(edges, rxcui2, rela, rxcui1);
    else if (INVERSE[rela]) addEdge(edges, rxcui1, INVERSE[rela], rxcui2);
  }
  return { concepts, drugbank, edges };
}

import type { EntityManager } from '@mikro-orm/postgresql';

/** Rows of each catalogue table, as the columns name them. */
export type CatalogueRows = Record<(typeof TABLES)[number], Record<string, unknown>[]>;

/** In dependency order (a table before those referencing it). */
const TABLES = [
  'ingredient',
  'drug',
  'drug_ingredient',
  'ingredient_code',
  'interaction',
  'ingredient_class',
  'ingredient_class_member',
] as const;

/** Rows a statement carries: a full monthly release stages in a few dozen statements. */
const BATCH = 2000;

/**
 * Copies the release into temporary tables shaped like the catalogue's
 * (dropped at commit), BATCH rows a statement, so the sync below is a fixed
 * number of set-based statements whatever the release's size.
 */
export async function stageRows(em: EntityManager, rows: CatalogueRows): Promise<void> {
  for (const t of TABLES) {
    await em.execute(`CREATE TEMP TABLE stage_${t} (LIKE pharmacy.${t}) ON COMMIT DROP`);
    const list = rows[t];
    for (let i = 0; i < list.length; i += BATCH) {
      await em.execute(
        `INSERT INTO stage_${t} SELECT * FROM json_populate_recordset(NULL::stage_${t}, ?::json)`,
        [JSON.stringify(list.slice(i, i + BATCH))],
      );
    }
  }
}

const KEYS: Record<(typeof TABLES)[number], string[]> = {
  ingredient: ['id'],
  drug: ['rxcui'],
  drug_ingredient: ['rxcui', 'ingredient_id'],
  ingredient_code: ['rxcui', 'ingredient_id'],
  interaction: ['ingredient_a', 'ingredient_b', 'source'],
  ingredient_class: ['id'],
  ingredient_class_member: ['class_id', 'ingredient_id'],
};
const VALUES: Record<(typeof TABLES)[number], string[]> = {
  ingredient: ['name', 'norm_name', 'drugbank_id'],
  drug: ['name', 'tty', 'dose_form', 'strength', 'unit_price_minor', 'currency'],
  drug_ingredient: [],
  ingredient_code: ['tty'],
  interaction: ['source_ref', 'severity', 'mechanism', 'advice'],
  ingredient_class: ['name', 'source', 'member_severity', 'cross_reactive_with'],
  ingredient_class_member: [],
};

/** Writes new and changed rows of one table from its stage; returns how many. */
async function upsert(em: EntityManager, t: (typeof TABLES)[number]): Promise<number> {
  const keys = KEYS[t];
  const values = VALUES[t];
  const cols = [...keys, ...values].join(', ');
  const onConflict = values.length
    ? `DO UPDATE SET ${values.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}
       WHERE (${values.map((c) => `${t}.${c}`).join(', ')}, NULL) IS DISTINCT FROM
             (${values.map((c) => `EXCLUDED.${c}`).join(', ')}, NULL)`
    : 'DO NOTHING';
  const rows = await em.execute<unknown[]>(
    `INSERT INTO pharmacy.${t} (${cols}) SELECT ${cols} FROM stage_${t}
     ON CONFLICT (${keys.join(', ')}) ${onConflict} RETURNING 1`,
  );
  return rows.length;
}

/** Deletes rows of one table the stage no longer has (within `scope`, a condition on `t`). */
async function prune(
  em: EntityManager,
  t: (typeof TABLES)[number],
  scope = 'true',
): Promise<number> {
  const match = KEYS[t].map((k) => `s.${k} = t.${k}`).join(' AND ');
  const rows = await em.execute<unknown[]>(
    `DELETE FROM pharmacy.${t} t WHERE ${scope} AND NOT EXISTS (SELECT 1 FROM stage_${t} s WHERE ${match})
     RETURNING 1`,
  );
  return rows.length;
}

/**
 * Brings the catalogue tables to the staged release: links first pruned
 * (links of drugs the release no longer lists are kept with those drugs),
 * then ingredients nothing references any more, then every table upserted
 * parents first. Returns the rows written.
 */
export async function syncCatalogue(em: EntityManager): Promise<number> {
  let n = 0;
  n += await prune(em, 'ingredient_class_member');
  n += await prune(em, 'ingredient_class');
  n += await prune(em, 'interaction');
  n += await prune(em, 'ingredient_code');
  n += await prune(
    em,
    'drug_ingredient',
    'EXISTS (SELECT 1 FROM stage_drug d WHERE d.rxcui = t.rxcui)',
  );
  n += await prune(
    em,
    'ingredient',
    'NOT EXISTS (SELECT 1 FROM pharmacy.drug_ingredient di WHERE di.ingredient_id = t.id)',
  );
  for (const t of TABLES) n += await upsert(em, t);
  return n;
}

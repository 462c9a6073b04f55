import path from 'node:path';
import type { EntityManager } from '@mikro-orm/postgresql';
import { readNdjson } from '../../platform/data/ndjson.js';
import type { OpenedStore, SeedArgs } from '../../platform/federation/subgraph-spec.js';
import { importDemoCatalogue } from './catalogue/demo.js';
import { addDays, dayOf } from './domain/fefo.js';
import { setReorderLevel } from './store/stock-alerts.js';
import { receiveStock } from './store/stock-moves.js';

/** Who the demo stock is received as. */
const SEED_ACTOR = 'system:seed';

/** The demo pharmacy: the first facility (FHIR Location) of the demo data. */
export function demoFacilityId(dataDir: string): string {
  const [first] = readNdjson<{ id: string }>(path.join(dataDir, 'Location.000.ndjson'));
  if (!first) throw new Error('The demo data has no Location for the demo pharmacy');
  return first.id;
}

/**
 * The demo pharmacy's stock, once (nothing when any lot exists): every priced
 * catalogue drug in two lots, one long-dated and one expiring in 20 days (so
 * the near-expiry alerts show), with a reorder level.
 */
async function seedStock(em: EntityManager, facilityId: string, now: Date): Promise<number> {
  const [{ n }] = (await em.execute<{ n: string }[]>(
    'SELECT count(*) AS n FROM pharmacy.stock_lot',
  )) as [{ n: string }];
  if (Number(n) > 0) return 0;
  const drugs = await em.execute<{ rxcui: string }[]>(
    'SELECT rxcui FROM pharmacy.drug WHERE unit_price_minor IS NOT NULL ORDER BY rxcui',
  );
  const today = dayOf(now);
  await em.transactional(async (tx) => {
    for (const { rxcui } of drugs) {
      const lot = (suffix: string, expiresOn: string, quantity: number) =>
        receiveStock(tx, {
          facilityId,
          drugRxcui: rxcui,
          lotNumber: `DEMO-${rxcui}-${suffix}`,
          expiresOn,
          quantity,
          by: SEED_ACTOR,
          at: now,
        });
      await lot('A', addDays(today, 540), 200);
      await lot('B', addDays(today, 20), 30);
      await setReorderLevel(tx, {
        facilityId,
        drugRxcui: rxcui,
        reorderLevel: 40,
        by: SEED_ACTOR,
        at: now,
      });
    }
  });
  return drugs.length;
}

/**
 * Pharmacy's demo data: the drug catalogue (the RxNorm release built from
 * ../shared/data, both interaction sets, the prices), idempotent; and the
 * demo pharmacy's stock at the demo data's first facility.
 */
export async function seedPharmacy(store: OpenedStore, args: SeedArgs): Promise<unknown> {
  const em = store.orm.em.fork();
  const catalogue = await importDemoCatalogue(em);
  const facilityId = demoFacilityId(args.dataDir);
  const stocked = await seedStock(em, facilityId, args.now);
  args.log.info(
    { drugs: catalogue.drugs, uncovered: catalogue.uncovered.length, facilityId, stocked },
    'pharmacy catalogue and demo stock loaded',
  );
  return { catalogue, facilityId };
}

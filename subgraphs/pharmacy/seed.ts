import type { OpenedStore, SeedArgs } from '../../platform/federation/subgraph-spec.js';
import { importDemoCatalogue } from './catalogue/demo.js';

/**
 * Pharmacy's demo data: the drug catalogue (the RxNorm release built from
 * ../shared/data, both interaction sets, the prices), idempotent; and the
 * demo pharmacy's stock.
 */
export async function seedPharmacy(store: OpenedStore, args: SeedArgs): Promise<unknown> {
  const em = store.orm.em.fork();
  const catalogue = await importDemoCatalogue(em);
  args.log.info(
    { drugs: catalogue.drugs, uncovered: catalogue.uncovered.length },
    'pharmacy catalogue loaded',
  );
  return catalogue;
}

import type { OpenedStore, SeedArgs } from '../../platform/federation/subgraph-spec.js';
import { loadFacilityRegions, readFacilityRegions } from './directory/facility-regions.js';
import { publishAgreement } from './store/privacy-budget.js';
import { DATA_USE_AGREEMENT } from './domain/data-use-agreement.js';

/**
 * Open data's reference data, idempotently: the facility directory's regions
 * (public data) and the first data use agreement. Its facts come from events
 * only.
 */
export async function seedOpenData(store: OpenedStore, args: SeedArgs): Promise<unknown> {
  const em = store.orm.em.fork();
  const regions = await loadFacilityRegions(em, readFacilityRegions());
  await em.transactional((tem) => publishAgreement(tem, DATA_USE_AGREEMENT));
  const summary = { facilityRegions: regions, dataUseAgreement: DATA_USE_AGREEMENT.version };
  args.log.info(summary, 'open data reference data loaded');
  return summary;
}

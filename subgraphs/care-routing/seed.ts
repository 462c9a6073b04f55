import fs from 'node:fs';
import path from 'node:path';
import { readNdjson } from '../../platform/data/ndjson.js';
import type { OpenedStore, SeedArgs } from '../../platform/federation/subgraph-spec.js';
import { CARE_ROUTING_DATA_DIR } from './directory/data-dir.js';
import { importDirectoryFolder } from './directory/import-folder.js';
import type { FhirLocationLike } from './directory/link-locations.js';
import { stateCode } from './directory/normalise.js';
import { linkLocations } from './store/location-links.js';

/** The demo data's Locations (none when the data set has no Location file). */
function demoLocations(dataDir: string): FhirLocationLike[] {
  const file = path.join(dataDir, 'Location.000.ndjson');
  return fs.existsSync(file) ? readNdjson<FhirLocationLike>(file) : [];
}

function stateOf(loc: FhirLocationLike): string | null {
  const address = loc.address as { state?: unknown } | undefined;
  return typeof address?.state === 'string' ? stateCode(address.state) : null;
}

/**
 * Care routing's directory, idempotently (a second seed writes nothing): the
 * ZIP centroids and the facility directory of data/care-routing, whole
 * (`SEED_FACILITIES=all`) or only the states the demo Locations are in
 * (`demo`, which care routing's test stacks use to start fast; `none`, nothing: other test stacks); then the demo Locations
 * (`dataDir`) linked to their facilities. Logs counts only.
 */
export async function seedCareRouting(store: OpenedStore, args: SeedArgs): Promise<unknown> {
  if (args.config.SEED_FACILITIES === 'none') return { scope: 'none' };
  const em = store.orm.em.fork();
  const locations = demoLocations(args.dataDir);
  const scope = args.config.SEED_FACILITIES;
  const states =
    scope === 'all' ? undefined : new Set(locations.map(stateOf).filter((s) => s !== null));
  const folder = await importDirectoryFolder(em, CARE_ROUTING_DATA_DIR, { states });
  const links = await linkLocations(em, locations);
  const summary = {
    scope,
    states: states ? [...states] : 'all',
    centroids: folder.centroids && {
      created: folder.centroids.created,
      updated: folder.centroids.updated,
      unchanged: folder.centroids.unchanged,
    },
    directory: folder.directory,
    skippedRows: folder.skipped.length,
    unknownTimeZone: folder.unknownTimeZone.length,
    locations: { ...links.matchedBy, linksWritten: links.linksWritten },
    unplacedLocations: links.skipped.length,
  };
  args.log.info(summary, 'care routing directory loaded');
  return summary;
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openSubgraphTestStore,
  type SubgraphTestStore,
} from '../../../platform/testing/subgraph-test-store.js';
import { entities } from '../entities/index.js';
import { SCHEMA } from '../server.js';
import { migrations } from './index.js';

describe('care routing migrations', () => {
  let store: SubgraphTestStore;
  beforeAll(async () => {
    store = await openSubgraphTestStore('routing-migrations', {
      schema: SCHEMA,
      entities,
      migrations,
    });
  });
  afterAll(() => store?.close());

  it('keep each facility’s point on earthdistance’s sphere, computed from its coordinates', async () => {
    const em = store.orm.em.fork();
    await em.execute(
      `INSERT INTO facility (id, source, source_key, kind, name, lat, lon, emergency, region, time_zone, digest)
       VALUES ('f1', 'hospitals', '1', 'hospital', 'A', 38.9, -94.7, true, '662', 'America/Chicago', 'd')`,
    );
    const [row] = await em.execute<{ km: number }[]>(
      `SELECT public.earth_distance(earth, public.ll_to_earth(39.9, -94.7)) / 1000 AS km FROM facility`,
    );
    // One degree of latitude on earthdistance's sphere (radius 6,378.168 km).
    expect(row!.km).toBeCloseTo((6378.168 * Math.PI) / 180, 3);
  });
});

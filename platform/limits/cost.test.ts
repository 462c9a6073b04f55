import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ApolloGateway } from '@apollo/gateway';
import type { printSchema } from 'graphql';
import {
  buildSchema,
  getOperationAST,
  parse,
  validate,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { estimateCost, type CostOptions } from './cost.js';
import { LIMITS } from './settings.js';

const schema = buildSchema(/* GraphQL */ `
  type Query {
    patient(id: ID!): Patient
    patients(first: Int, after: String): PatientConnection!
    practitioners: [Practitioner!]!
    node(id: ID!): Node
  }
  interface Node {
    id: ID!
  }
  type Patient implements Node {
    id: ID!
    name: Name
    telecom: [ContactPoint!]
    history(first: Int): [Revision!]
    tags: [String!]!
  }
  type Practitioner implements Node {
    id: ID!
  }
  type Name {
    family: String!
    given: [String!]!
  }
  type ContactPoint {
    system: String!
    value: String!
  }
  type Revision {
    version: Int!
  }
  type PatientConnection {
    edges: [PatientEdge!]!
    pageInfo: PageInfo!
  }
  type PatientEdge {
    cursor: String!
    node: Patient!
  }
  type PageInfo {
    hasNextPage: Boolean!
  }
`);

const opts: CostOptions = { defaultPageSize: 20, unpagedListSize: 10 };

function cost(query: string, variables?: Record<string, unknown>, o = opts, s = schema): number {
  const document = parse(query);
  expect(validate(s, document)).toEqual([]);
  const operation = getOperationAST(document) as OperationDefinitionNode;
  return estimateCost(s, document, operation, variables, o);
}

describe('estimateCost', () => {
  it('counts one per field, plus what the sub-selection costs', () => {
    // patient 1 + id 1 + name (1 + family 1 + given 1)
    expect(cost('{ patient(id: "1") { id name { family given } } }')).toBe(5);
  });

  it('multiplies a page by its literal `first`', () => {
    // patients 20 × (1 + edges (1 + node (1 + id 1)) + pageInfo (1 + 1)) = 20 × 6
    const q = (n: number) =>
      `{ patients(first: ${n}) { edges { node { id } } pageInfo { hasNextPage } } }`;
    expect(cost(q(20))).toBe(120);
    expect(cost(q(100))).toBe(600);
    expect(cost(q(1))).toBe(6);
  });

  it('reads `first` from the variables, as clients send it', () => {
    const q = 'query ($n: Int) { patients(first: $n) { edges { node { id } } } }';
    expect(cost(q, { n: 100 })).toBe(100 * 4);
    expect(cost(q, { n: 5 })).toBe(5 * 4);
  });

  it('counts the default page when `first` is missing or not a count', () => {
    const q = 'query ($n: Int) { patients(first: $n) { edges { node { id } } } }';
    expect(cost(q, {})).toBe(20 * 4);
    expect(cost(q, { n: 'many' })).toBe(20 * 4);
    expect(cost(q, { n: -3 })).toBe(20 * 4);
    expect(cost('{ patients { edges { node { id } } } }')).toBe(20 * 4);
  });

  it('multiplies nested pages and lists', () => {
    // patients 10 × (1 + edges (1 + node (1 + history 5 × (1 + version 1) + telecom 10 × (1 + 1))))
    const q = `{ patients(first: 10) { edges { node {
      history(first: 5) { version } telecom { value } } } } }`;
    expect(cost(q)).toBe(10 * (1 + (1 + (1 + 5 * 2 + 10 * 2))));
  });

  it('counts a list without a page argument at the assumed size, or its own', () => {
    expect(cost('{ practitioners { id } }')).toBe(10 * 2);
    expect(
      cost('{ practitioners { id } }', {}, { ...opts, fieldSizes: { 'Query.practitioners': 100 } }),
    ).toBe(100 * 2);
  });

  it('does not multiply a list of scalars (one value, no resolver per element)', () => {
    expect(cost('{ patient(id: "1") { tags } }')).toBe(2);
  });

  it('counts each alias, follows fragments, and ignores __typename and introspection', () => {
    const q = `
      query { a: patient(id: "1") { ...F } b: patient(id: "2") { ...F __typename } __schema { types { name } } }
      fragment F on Patient { id name { family } }`;
    expect(cost(q)).toBe(2 * (1 + 1 + 2));
  });

  it('counts inline fragments on an interface by their own type', () => {
    expect(cost('{ node(id: "1") { id ... on Patient { telecom { value } } } }')).toBe(
      1 + 1 + 10 * 2,
    );
  });
});

describe('estimateCost with range work', () => {
  const slotsSchema = buildSchema(/* GraphQL */ `
    type Query {
      availableSlots(
        from: String!
        to: String!
        practitionerId: ID
        specialty: String
        first: Int
      ): [Slot!]!
    }
    type Slot {
      start: String!
    }
  `);
  const withWork: CostOptions = {
    ...opts,
    rangeWork: {
      'Query.availableSlots': {
        from: 'from',
        to: 'to',
        maxDays: 31,
        itemsPerFilter: { practitionerId: 1, specialty: 50 },
        perItemDay: 5,
      },
    },
  };
  const q = (args: string) => `{ availableSlots(${args}, first: 10) { start } }`;
  const month = 'from: "2027-01-01T00:00:00Z", to: "2027-02-01T00:00:00Z"';

  it('#8 counts days times the items the filter can match, on top of the page', () => {
    // page 10 × (1 + start 1) + 5 × 31 days × 50 schedules
    expect(cost(q(`${month}, specialty: "GP"`), {}, withWork, slotsSchema)).toBe(20 + 7750);
    expect(cost(q(`${month}, practitionerId: "p"`), {}, withWork, slotsSchema)).toBe(20 + 155);
    // Both filters: the narrower counts.
    expect(
      cost(q(`${month}, practitionerId: "p", specialty: "GP"`), {}, withWork, slotsSchema),
    ).toBe(20 + 155);
  });

  it('#8 reads the window from variables, caps it, and counts the longest when unknown', () => {
    const v = `query ($f: String!, $t: String!) { availableSlots(from: $f, to: $t, specialty: "GP", first: 10) { start } }`;
    const day = { f: '2027-01-01T00:00:00Z', t: '2027-01-02T00:00:00Z' };
    expect(cost(v, day, withWork, slotsSchema)).toBe(20 + 250);
    expect(cost(v, { ...day, t: '2028-01-01T00:00:00Z' }, withWork, slotsSchema)).toBe(20 + 7750);
    expect(cost(v, { f: 'soon', t: 'later' }, withWork, slotsSchema)).toBe(20 + 7750);
  });
});

describe('the seeded operations under the gateway limits', () => {
  let api: GraphQLSchema;
  const load = async (): Promise<GraphQLSchema> => {
    if (api) return api;
    const gateway = new ApolloGateway({
      supergraphSdl: fs.readFileSync(path.resolve('schema', 'supergraph.graphql'), 'utf8'),
    });
    const { schema: loaded } = await gateway.load();
    await gateway.stop();
    // The gateway's schema belongs to the CommonJS copy of graphql, vitest loads the ES one:
    // print it with its own copy and rebuild it here.
    const cjs = createRequire(import.meta.url)('graphql') as { printSchema: typeof printSchema };
    api = buildSchema(cjs.printSchema(loaded));
    return api;
  };

  it('each costs well under the limit, even at the largest page', async () => {
    const s = await load();
    const dir = path.resolve('schema', 'operations');
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.graphql'));
    const fragments = files
      .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))
      .filter((text) => /^\s*fragment /m.test(text) && !/^\s*(query|mutation) /m.test(text))
      .join('\n');
    let seen = 0;
    for (const file of files) {
      const text = fs.readFileSync(path.join(dir, file), 'utf8');
      if (!/^\s*(query|mutation) /m.test(text)) continue;
      const document = parse(`${text}\n${fragments}`);
      const operation = getOperationAST(document) as OperationDefinitionNode;
      const c = estimateCost(s, document, operation, { first: 100 }, LIMITS);
      expect(c, file).toBeLessThan(LIMITS.maxCost / 2);
      seen++;
    }
    expect(seen).toBeGreaterThan(0);
  });

  it('refuses 100 patients with all their lists and 100 appointments each', async () => {
    const s = await load();
    const q = `{ patients(first: 100) { edges { node {
      id name { family given } telecom { value } address { city } consents { id status }
      appointments(first: 100) { edges { node { id start practitioner { id } } } } } } } }`;
    const document = parse(q);
    expect(validate(s, document)).toEqual([]);
    const c = estimateCost(s, document, getOperationAST(document)!, {}, LIMITS);
    expect(c).toBeGreaterThan(LIMITS.maxCost);
  });
});

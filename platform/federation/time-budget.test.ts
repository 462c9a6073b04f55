import { ApolloServer } from '@apollo/server';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { describe, expect, it } from 'vitest';
import {
  enforceTimeBudget,
  startTimeBudget,
  TIME_BUDGET_EXCEEDED,
  timeBudgetPlugin,
  type TimeBudget,
} from './time-budget.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A schema whose root answers late and whose items count the resolvers they run. */
function server(calls: { detail: number }) {
  const schema = makeExecutableSchema({
    typeDefs: /* GraphQL */ `
      type Query {
        slow(ms: Int!): [Item!]
        fast: [Item!]
      }
      type Mutation {
        write(ms: Int!): Boolean
      }
      type Item {
        id: ID!
        detail: String
      }
    `,
    resolvers: {
      Query: {
        slow: async (_: unknown, { ms }: { ms: number }) => {
          await sleep(ms);
          return [{ id: '1' }, { id: '2' }];
        },
        fast: () => [{ id: '1' }, { id: '2' }, { id: '3' }],
      },
      Mutation: {
        write: async (_: unknown, { ms }: { ms: number }) => {
          await sleep(ms);
          return true;
        },
      },
      Item: {
        detail: async () => {
          calls.detail++;
          await sleep(40);
          return 'd';
        },
      },
    },
  });
  return new ApolloServer<{ budget?: TimeBudget }>({
    schema: enforceTimeBudget(schema),
    plugins: [timeBudgetPlugin()],
  });
}

async function run(query: string, ms: number, calls: { detail: number }) {
  const apollo = server(calls);
  await apollo.start();
  try {
    const started = Date.now();
    const res = await apollo.executeOperation(
      { query },
      { contextValue: { budget: startTimeBudget(ms) } },
    );
    const elapsed = Date.now() - started;
    if (res.body.kind !== 'single') throw new Error('expected one result');
    return { result: res.body.singleResult, elapsed };
  } finally {
    await apollo.stop();
  }
}

describe('time budget', () => {
  it('#8 ends a query at its deadline with one typed error, and schedules none of its remaining work', async () => {
    const calls = { detail: 0 };
    const { result, elapsed } = await run('{ slow(ms: 400) { id detail } }', 50, calls);
    expect(elapsed).toBeLessThan(350);
    expect(result.data).toEqual({ slow: null });
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0]!.extensions?.code).toBe(TIME_BUDGET_EXCEEDED);
    await sleep(450);
    // The late root result came back after the answer: no item resolver ran for it.
    expect(calls.detail).toBe(0);
  });

  it('#8 stops starting field resolvers once the deadline has passed', async () => {
    const calls = { detail: 0 };
    const { result } = await run('{ a: fast { detail } b: slow(ms: 80) { detail } }', 60, calls);
    // `a`'s details started in time; `b` was cut at the deadline and its items never ran.
    expect(calls.detail).toBe(3);
    expect(result.errors?.map((e) => e.extensions?.code)).toEqual([TIME_BUDGET_EXCEEDED]);
  });

  it('#8 lets a mutation already running finish, and answers within budget as usual', async () => {
    const calls = { detail: 0 };
    const late = await run('mutation { write(ms: 80) }', 30, calls);
    expect(late.result.data).toEqual({ write: true });
    const ok = await run('{ fast { id detail } }', 1000, calls);
    expect(ok.result.errors).toBeUndefined();
  });
});

import type { ApolloServerPlugin } from '@apollo/server';
import {
  defaultFieldResolver,
  GraphQLError,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';

/** The `extensions.code` of a request its subgraph stopped at its time budget. */
export const TIME_BUDGET_EXCEEDED = 'TIME_BUDGET_EXCEEDED';

/** One request's deadline. */
export interface TimeBudget {
  /** Aborts at the deadline: long work (loops, queries) can listen to it. */
  readonly signal: AbortSignal;
  readonly ms: number;
  /** Throws TIME_BUDGET_EXCEEDED once the deadline has passed. */
  check(): void;
}

const exceeded = (ms: number): GraphQLError =>
  new GraphQLError(
    `The request used its time budget (${ms} ms) and was stopped; ask for less (smaller pages, fewer aliases or a shorter range), or retry later`,
    { extensions: { code: TIME_BUDGET_EXCEEDED } },
  );

/** Starts a budget of `ms` milliseconds from now. */
export function startTimeBudget(ms: number): TimeBudget {
  const signal = AbortSignal.timeout(ms);
  return {
    signal,
    ms,
    check() {
      if (signal.aborted) throw exceeded(ms);
    },
  };
}

const isPromise = (x: unknown): x is Promise<unknown> =>
  typeof (x as { then?: unknown } | null)?.then === 'function';

/** Settles with `work`, or rejects with TIME_BUDGET_EXCEEDED at the deadline if that comes first. */
function race(work: Promise<unknown>, budget: TimeBudget): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const stop = () => reject(exceeded(budget.ms));
    if (budget.signal.aborted) return stop();
    budget.signal.addEventListener('abort', stop, { once: true });
    work.then(
      (value) => {
        budget.signal.removeEventListener('abort', stop);
        resolve(value);
      },
      (err: unknown) => {
        budget.signal.removeEventListener('abort', stop);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

const isObjectType = (type: unknown): type is GraphQLObjectType =>
  Object.prototype.toString.call(type) === '[object GraphQLObjectType]';

/**
 * Makes every field of `schema` (in place) obey the request's `budget` (in
 * the context): past the deadline no resolver starts (each throws
 * TIME_BUDGET_EXCEEDED instead, so the request's remaining work is not
 * scheduled), and a root query field still running at the deadline is
 * answered with that error at once (its result, if it ever comes, is
 * dropped). Mutations are not cut short: a write that commits after its
 * answer said it failed would mislead; they only refuse to start late.
 */
export function enforceTimeBudget(schema: GraphQLSchema): GraphQLSchema {
  const queryType = schema.getQueryType()?.name;
  for (const type of Object.values(schema.getTypeMap())) {
    // Told by its tag, not `instanceof`: the schema may come from another copy of graphql-js.
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const root = type.name === queryType;
    for (const field of Object.values(type.getFields())) {
      const inner = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args, context: { budget?: TimeBudget } | undefined, info) => {
        const budget = context?.budget;
        if (!budget) return inner(source, args, context, info);
        budget.check();
        const result = inner(source, args, context, info);
        return root && isPromise(result) ? race(result, budget) : result;
      };
    }
  }
  return schema;
}

/** Answers a request stopped by its budget with one TIME_BUDGET_EXCEEDED error, not one per field. */
export function timeBudgetPlugin<C>(): ApolloServerPlugin<C & { budget?: TimeBudget }> {
  return {
    requestDidStart: () =>
      Promise.resolve({
        willSendResponse({ response }) {
          if (response.body.kind !== 'single') return Promise.resolve();
          const result = response.body.singleResult;
          let seen = false;
          if (result.errors)
            result.errors = result.errors.filter((e) => {
              if (e.extensions?.code !== TIME_BUDGET_EXCEEDED) return true;
              const first = !seen;
              seen = true;
              return first;
            });
          return Promise.resolve();
        },
      }),
  };
}

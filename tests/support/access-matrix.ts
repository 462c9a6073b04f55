import { describe, expect, it } from 'vitest';
import type { GqlResponse } from './stack.js';

/** What one call came to: an answer, or the first error's code. */
export interface Outcome {
  ok: boolean;
  code?: string;
}

/** One row of an access matrix: an operation, who may run it, and how to run it as someone. */
export interface MatrixOperation<A extends string> {
  name: string;
  allowed: readonly A[];
  run: (token: string, actor: A) => Promise<Outcome>;
}

/**
 * The outcome of a GraphQL answer whose result is `value`: never a 5xx nor an
 * internal error, whoever asks.
 */
export function outcome(
  r: Pick<GqlResponse<unknown>, 'status' | 'errors'>,
  value: unknown,
): Outcome {
  expect(r.status).toBeLessThan(500);
  expect(r.errors?.map((e) => e.extensions?.code) ?? []).not.toContain('INTERNAL_SERVER_ERROR');
  return {
    ok: value !== null && value !== undefined && !r.errors?.length,
    code: r.errors?.[0]?.extensions?.code,
  };
}

/**
 * An access matrix as a table: one test per operation and actor, which
 * expects an answer where the actor is allowed and exactly FORBIDDEN (no
 * data) everywhere else. `token` is called inside each test.
 */
export function accessMatrix<A extends string>(
  title: string,
  actors: readonly A[],
  operations: readonly MatrixOperation<A>[],
  token: (actor: A) => string | Promise<string>,
): void {
  describe(title, () => {
    for (const op of operations)
      for (const actor of actors) {
        const expected = op.allowed.includes(actor);
        it(`${op.name} as ${actor}: ${expected ? 'allowed' : 'FORBIDDEN'}`, async () => {
          const result = await op.run(await token(actor), actor);
          if (expected) expect(result).toEqual({ ok: true, code: undefined });
          else expect(result).toEqual({ ok: false, code: 'FORBIDDEN' });
        });
      }
  });
}

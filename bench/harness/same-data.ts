import type { BenchCase } from '../cases.js';
import type { ProcessStack } from './carefed.js';
import type { Fixtures } from './fixtures.js';

/** Arrays sorted by their JSON, so two stacks that order a list differently still compare equal. */
function normalise(v: unknown): unknown {
  if (Array.isArray(v))
    return v.map(normalise).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v)
        .filter(([k]) => k !== 'cursor')
        .map(([k, x]) => [k, normalise(x)]),
    );
  return v;
}

/**
 * The honesty check: each read case's answer from Carefed and from the bare
 * federation, compared (cursors aside, lists in any order). A difference is
 * printed, so a table never compares unlike work silently.
 */
export async function checkSameData(
  cases: BenchCase[],
  f: Fixtures,
  carefed: ProcessStack,
  bare: ProcessStack,
): Promise<void> {
  for (const c of cases.filter((x) => x.scales)) {
    const body = c.requests(f, 'check')[0]!.body as string;
    const answer = async (s: ProcessStack) => {
      const res = await fetch(s.gatewayUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${f.tokens[c.token]}`,
        },
        body,
      });
      return JSON.stringify(normalise(await res.json()));
    };
    const [a, b] = [await answer(carefed), await answer(bare)];
    console.log(
      a === b
        ? `same data: ${c.name} (${a.length} bytes)`
        : `DIFFERENT DATA: ${c.name}\n  Carefed ${a.slice(0, 400)}\n  bare    ${b.slice(0, 400)}`,
    );
  }
}

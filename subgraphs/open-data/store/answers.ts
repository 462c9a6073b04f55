import type { EntityManager } from '@mikro-orm/postgresql';
import {
  confidenceHalfWidth,
  laplaceScale,
  noisyCount,
  postProcessCount,
  type RandomSource,
} from '../domain/dp/mechanism.js';
import { fromMicro, toMicro } from '../domain/dp/budget.js';
import { cellKeys, sensitivityOf, type CountQuestion } from '../domain/count-question.js';
import { trueCounts } from './research-counts.js';

/** A stored answer (what the ledger keeps, so a retried request gets the same one). */
export type CountAnswerData = {
  groupBy: string[];
  epsilon: number;
  sensitivity: number;
  noiseScale: number;
  margin95: number;
  method: string;
  cells: { values: string[]; count: number; denominator: number | null; rate: number | null }[];
};

/**
 * Answers a question with differential privacy: the true distinct-patient
 * count of every cell of the fixed domain (a patient adding to at most
 * `sensitivity` cells), plus discrete Laplace noise of scale sensitivity ÷ ε
 * (ε ÷ 2 for each of two cohorts when a rate is asked), negative counts
 * shown as 0 (post-processing costs no privacy). Cells without patients get
 * noise too, so which cells exist tells nothing.
 */
export async function answerCount(
  em: EntityManager,
  q: CountQuestion,
  rng?: RandomSource,
): Promise<CountAnswerData> {
  const cells = cellKeys(q);
  const sensitivity = sensitivityOf(q);
  // A rate splits ε in whole micro-epsilons (what the mechanism samples with): the
  // numerator's half rounded down, the denominator the rest.
  const micro = toMicro(q.epsilon);
  const epsilon = q.rateOf ? fromMicro(Math.floor(micro / 2)) : q.epsilon;
  const denEpsilon = fromMicro(micro - toMicro(epsilon));
  const num = await trueCounts(em, q, q.filter, sensitivity);
  const den = q.rateOf ? await trueCounts(em, q, q.rateOf, sensitivity) : null;
  const noisy = (n: number, eps: number) => postProcessCount(noisyCount(n, eps, sensitivity, rng));
  return {
    groupBy: [...q.groupBy],
    epsilon: q.epsilon,
    sensitivity,
    noiseScale: laplaceScale(epsilon, sensitivity),
    margin95: Math.ceil(confidenceHalfWidth(epsilon, sensitivity, 0.95)),
    method: `Discrete Laplace (two-sided geometric) noise of scale ${sensitivity}/${epsilon} on each distinct-patient count; each patient adds to at most ${sensitivity} cell(s); every cell of the fixed domain answered; counts below 0 shown as 0.`,
    cells: cells.map((values) => {
      const key = values.join('|');
      const count = noisy(num.get(key) ?? 0, epsilon);
      const denominator = den ? noisy(den.get(key) ?? 0, denEpsilon) : null;
      const rate =
        denominator === null || denominator === 0 ? null : Math.min(1, count / denominator);
      return { values, count, denominator, rate };
    }),
  };
}

import { describe, expect, it } from 'vitest';
import { logBudget } from './log-budget.js';

describe('logBudget', () => {
  it('#21 writes at most `max` lines a window and reports the rest in one line', () => {
    let now = 0;
    const lines: string[] = [];
    const write = logBudget(
      3,
      60_000,
      (n) => lines.push(`suppressed ${n}`),
      () => now,
    );
    for (let i = 0; i < 150; i++) write(() => lines.push(`line ${i}`));
    expect(lines).toEqual(['line 0', 'line 1', 'line 2']);
    now = 60_000;
    write(() => lines.push('next window'));
    expect(lines.slice(3)).toEqual(['suppressed 147', 'next window']);
  });
});

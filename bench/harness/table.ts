import type { Tally } from './measure.js';

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const pair = (a: number, b: number, digits = 1) => `${fmt(a, digits)} / ${fmt(b, digits)}`;

/** One table row per case: Carefed against bare, per request. */
export function printTable(
  title: string,
  rows: { name: string; carefed: Tally; bare: Tally }[],
): void {
  const header = [
    'query',
    'Carefed req/s',
    'bare req/s',
    'ratio',
    'p50 ms C / b',
    'p99 ms C / b',
    'CPU ms/req C / b',
    'DB CPU ms/req C / b',
    'SQL/req C / b',
    'audit/req C / b',
    'errors C / b',
  ];
  const lines = rows.map(({ name, carefed: c, bare: b }) => {
    const rate = (t: Tally) => t.requests / t.seconds;
    const per = (t: Tally, v: number) => v / t.requests;
    return [
      name,
      fmt(rate(c), 0),
      fmt(rate(b), 0),
      fmt(rate(c) / rate(b), 2),
      pair(mean(c.p50), mean(b.p50)),
      pair(mean(c.p99), mean(b.p99)),
      pair(per(c, c.cpuMs), per(b, b.cpuMs), 2),
      pair(per(c, c.dbCpuMs), per(b, b.dbCpuMs), 2),
      pair(per(c, c.statements), per(b, b.statements)),
      pair(per(c, c.auditRows), per(b, b.auditRows), 2),
      `${c.errors} / ${b.errors}`,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const row = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(`\n${title}\n`);
  console.log(row(header));
  console.log(row(widths.map((w) => '-'.repeat(w))));
  for (const l of lines) console.log(row(l));
}

/** Peak RSS of every process of both stacks. */
export function printMemory(peaks: { name: string; mb: number }[]): void {
  console.log('\nPeak RSS (VmHWM) per process over the whole run\n');
  for (const p of peaks) console.log(`  ${p.name.padEnd(24)} ${fmt(p.mb, 0)} MB`);
}

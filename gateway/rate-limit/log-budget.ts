/**
 * Lets through at most `max` log lines per `windowMs`; the rest are counted
 * and reported in one line when the next window's first line is written. A
 * flood of bad tokens from many addresses then costs a bounded number of
 * lines, yet the count of what was refused is never lost.
 */
export function logBudget(
  max: number,
  windowMs: number,
  onSuppressed: (count: number) => void,
  now: () => number = Date.now,
): (write: () => void) => void {
  let windowStart = -Infinity;
  let written = 0;
  let suppressed = 0;
  return (write) => {
    const t = now();
    if (t - windowStart >= windowMs) {
      if (suppressed > 0) onSuppressed(suppressed);
      windowStart = t;
      written = 0;
      suppressed = 0;
    }
    if (written < max) {
      written++;
      write();
    } else {
      suppressed++;
    }
  };
}

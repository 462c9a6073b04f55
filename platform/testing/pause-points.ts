/**
 * Named pause points for race tests: a test running the stack in its own
 * process hooks a point's name, and the code that reaches the point awaits
 * the hook (to commit a competing change at exactly that moment) before it
 * goes on. Nothing hooks a point outside tests; unhooked, a point costs one
 * map lookup.
 */
const hooks = new Map<string, () => Promise<void>>();

/** Runs `hook` (once) the next time `name` is reached; returns a function that unhooks it. */
export function onPause(name: string, hook: () => Promise<void>): () => void {
  hooks.set(name, async () => {
    hooks.delete(name);
    await hook();
  });
  return () => hooks.delete(name);
}

/** Awaits the hook of `name`, if a test set one. */
export async function pausePoint(name: string): Promise<void> {
  const hook = hooks.get(name);
  if (hook) await hook();
}

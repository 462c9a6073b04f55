const made = new WeakMap<object, Map<unknown, unknown>>();

/**
 * What `make` builds from a request's context, built once per request (e.g.
 * batch loaders that decide and audit with the whole context, which the
 * context's own loaders, made before it exists, cannot see). Gone with the
 * context.
 */
export function perRequest<C extends object, T>(ctx: C, make: (ctx: C) => T): T {
  let byMaker = made.get(ctx);
  if (!byMaker) {
    byMaker = new Map();
    made.set(ctx, byMaker);
  }
  if (!byMaker.has(make)) byMaker.set(make, make(ctx));
  return byMaker.get(make) as T;
}

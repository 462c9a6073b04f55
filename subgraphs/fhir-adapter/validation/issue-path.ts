/**
 * Turns Ajv's JSON-pointer locations into the FHIRPath-like expressions that an
 * OperationOutcome.issue carries ("/code/coding/0/system" on a Condition:
 * "Condition.code.coding[0].system").
 */

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Keys are names, not values, so they may be shown, but an odd one is cut short. */
const MAX_KEY = 64;

/** A property name as it may appear in an expression or a diagnostic. */
export function showKey(key: string): string {
  return key.length > MAX_KEY ? `${key.slice(0, MAX_KEY)}…` : key;
}

/** One step of an expression: `.name`, `[0]` for an array index, `["odd key"]` otherwise. */
export function step(key: string, inArray: boolean): string {
  if (inArray && /^(0|[1-9][0-9]*)$/.test(key)) return `[${key}]`;
  return IDENTIFIER.test(key) ? `.${showKey(key)}` : `[${JSON.stringify(showKey(key))}]`;
}

/** Splits a JSON pointer (RFC 6901) into its unescaped keys. */
export function pointerKeys(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * The expression for `pointer` inside `resource`, rooted at `root` (its
 * resourceType). The data is walked alongside the pointer, since only it tells
 * an array index ("coding[0]") from an object key that looks like a number.
 */
export function pointerToExpression(root: string, resource: unknown, pointer: string): string {
  let expression = root;
  let node: unknown = resource;
  for (const key of pointerKeys(pointer)) {
    const inArray = Array.isArray(node);
    expression += step(key, inArray);
    node =
      node !== null && typeof node === 'object'
        ? (node as Record<string, unknown>)[key]
        : undefined;
  }
  return expression;
}

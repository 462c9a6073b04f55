const IDENT = /^[a-z_][a-z0-9_]*$/;

/**
 * Quotes a lower-case SQL identifier, or a dotted qualified one
 * (`patient.patient`). Names are spliced into SQL text, so anything outside
 * `[a-z0-9_]` is refused rather than escaped.
 */
export function quoteIdent(name: string): string {
  const parts = name.split('.');
  if (parts.length > 2 || !parts.every((p) => IDENT.test(p))) {
    throw new Error(`Invalid SQL identifier: ${JSON.stringify(name)}`);
  }
  return parts.map((p) => `"${p}"`).join('.');
}

/** SMART App Launch v2 permission letters, in their canonical order. */
export const PERMISSIONS = ['c', 'r', 'u', 'd', 's'] as const;
/** c create, r read, u update, d delete, s search. */
export type Permission = (typeof PERMISSIONS)[number];

/** The `patient/`, `user/` or `system/` prefix of a SMART resource scope. */
export type ScopeContext = 'patient' | 'user' | 'system';

/** One parsed SMART resource scope such as `patient/Observation.rs?category=laboratory`. */
export interface SmartScope {
  /** The scope as written in the token. */
  raw: string;
  context: ScopeContext;
  /** A FHIR resource type, or `*` for every type. */
  resourceType: string;
  permissions: ReadonlySet<Permission>;
  /**
   * SMART v2 query parameters (`?category=laboratory`) as name/value pairs. A scope with
   * parameters grants only a filtered subset of its resource type, so `scopeAllows` and
   * `grantedContexts` never count it: it is recorded, not widened to the whole type.
   */
  params: readonly (readonly [string, string])[];
}

/** A question put to `scopeAllows`. */
export interface ScopeRequest {
  resourceType: string;
  permission: Permission;
  /**
   * Scope contexts acceptable for this request. Include `patient` only when the request is
   * inside the principal's patient context (the record belongs to `principal.patientId`).
   */
  contexts: readonly ScopeContext[];
}

const SCOPE = /^(patient|user|system)\/([A-Z][A-Za-z]*|\*)\.([a-z]+|\*)(?:\?(\S+))?$/;
const V1: ReadonlyMap<string, string> = new Map([
  ['read', 'rs'],
  ['write', 'cud'],
  ['*', 'cruds'],
]);
const V2 = /^c?r?u?d?s?$/;

/**
 * Parses one SMART resource scope: v2 (`.rs`, `.cruds`, any subset of c,r,u,d,s in that
 * order, optionally followed by `?query` parameters) or v1 (`.read` = rs, `.write` = cud,
 * `.*` = cruds; v1 takes no parameters). Returns null for non-resource scopes (`openid`,
 * `fhirUser`, `launch/patient`, `offline_access`) and for anything malformed.
 */
export function parseScope(s: string): SmartScope | null {
  const raw = s.trim();
  const m = SCOPE.exec(raw);
  if (!m) return null;
  // The pattern guarantees the first three groups.
  const [, context = '', resourceType = '', perms = ''] = m;
  const query: string | undefined = m[4];
  const v1 = V1.get(perms);
  if (v1 !== undefined && query !== undefined) return null;
  const letters = v1 ?? (V2.test(perms) ? perms : '');
  if (letters === '') return null;
  const params = query === undefined ? [] : parseParams(query);
  if (params === null) return null;
  return {
    raw,
    // The pattern admits only the three contexts.
    context: context as ScopeContext,
    resourceType,
    permissions: new Set([...letters] as Permission[]),
    params,
  };
}

function parseParams(query: string): [string, string][] | null {
  const pairs = [...new URLSearchParams(query)];
  if (pairs.length === 0 || pairs.some(([k, v]) => k === '' || v === '')) return null;
  return pairs;
}

/**
 * Parses every resource scope in a token's scope list. Entries may themselves hold several
 * space-separated scopes; non-resource and malformed scopes are dropped.
 */
export function parseScopes(raw: readonly string[]): readonly SmartScope[] {
  const known = parsed.get(raw);
  if (known) return known;
  const scopes = raw
    .flatMap((entry) => entry.split(/\s+/))
    .map(parseScope)
    .filter((s): s is SmartScope => s !== null);
  Object.freeze(scopes);
  parsed.set(raw, scopes);
  return scopes;
}

// Keyed by the principal's own scope list: each request's principal is parsed once,
// however many fields and records it decides. Frozen, as every caller shares it.
const parsed = new WeakMap<readonly string[], readonly SmartScope[]>();

function grants(scope: SmartScope, resourceType: string, permission: Permission): boolean {
  return (
    scope.params.length === 0 &&
    (scope.resourceType === '*' || scope.resourceType === resourceType) &&
    scope.permissions.has(permission)
  );
}

/**
 * True when some unparameterised scope in an acceptable context grants `permission` on
 * `resourceType`. A scope for one resource type unlocks no other; `*` unlocks every type.
 */
export function scopeAllows(scopes: readonly SmartScope[], req: ScopeRequest): boolean {
  return scopes.some(
    (s) => req.contexts.includes(s.context) && grants(s, req.resourceType, req.permission),
  );
}

/** The contexts in which the scopes grant `permission` on `resourceType`. */
export function grantedContexts(
  scopes: readonly SmartScope[],
  resourceType: string,
  permission: Permission,
): Set<ScopeContext> {
  return new Set(scopes.filter((s) => grants(s, resourceType, permission)).map((s) => s.context));
}

import { GraphQLError, type GraphQLResolveInfo } from 'graphql';
import { allow, rule, shield } from 'graphql-shield';
import type { IRules } from 'graphql-shield';

/** Any shield rule or logic rule (graphql-shield does not export the name from its entry point). */
export type ShieldRule = Extract<IRules, { resolve: unknown }>;
import type { RequestContext } from '../federation/context.js';
import { ROLES, type Role } from '../identity/principal.js';
import { recordAccess } from '../audit/request-audit.js';
import { forbidden } from '../errors/index.js';
import { scopeContexts } from './decide.js';
import { parseScopes, scopeAllows, type Permission } from './scopes.js';

// graphql-shield wants one instance per rule name: rules are made once and reused.
const made = new Map<string, ShieldRule>();
function once(name: string, make: () => ShieldRule): ShieldRule {
  const existing = made.get(name);
  if (existing) return existing;
  const created = make();
  made.set(name, created);
  return created;
}

/** The caller holds at least one of these roles. */
export const hasRole = (...roles: Role[]): ShieldRule => {
  const name = `hasRole(${[...roles].sort().join(',')})`;
  return once(name, () =>
    rule(name, { cache: 'contextual' })((_p, _a, ctx: RequestContext) =>
      ctx.principal.roles.some((r) => roles.includes(r)),
    ),
  );
};

/**
 * The caller holds a SMART scope granting `permission` on `resourceType` in
 * some context. Whether a `patient/` scope reaches a given record is decided
 * per record (platform/authz/decide.ts); this is the gate in front.
 */
export const hasScope = (resourceType: string, permission: Permission): ShieldRule => {
  const name = `hasScope(${resourceType}.${permission})`;
  return once(name, () =>
    rule(name, { cache: 'contextual' })((_p, _a, ctx: RequestContext) =>
      scopeAllows(parseScopes(ctx.principal.scopes), {
        resourceType,
        permission,
        contexts: scopeContexts(ctx.principal),
      }),
    ),
  );
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// By its printed name: the schema's types may come from graphql's other module build (CJS vs ESM), where instanceof checks throw.
const namedType = (info: GraphQLResolveInfo): string =>
  String(info.returnType).replace(/[[\]!]/g, '');

/**
 * The patient a refused field names: its `patientId` argument (or its
 * `input`'s), or its `id`
 * when the field returns a Patient (an `id` of any other field is another
 * record's). Only a well-formed id is recorded, so a refused caller cannot
 * write into any record's access log at will.
 */
function patientArg(args: Record<string, unknown>, info: GraphQLResolveInfo): string | undefined {
  const input = args.input;
  const v =
    (typeof input === 'object' && input !== null
      ? (input as Record<string, unknown>).patientId
      : undefined) ??
    args.patientId ??
    (namedType(info) === 'Patient' ? args.id : undefined);
  return typeof v === 'string' && UUID.test(v) ? v.toLowerCase() : undefined;
}

/**
 * The error for a refused field. Refusals of root fields are audited as
 * denials (with the patient, when an argument names one) before the error
 * goes back; the message names neither record nor reason.
 */
async function refusal(
  thrown: unknown,
  _parent: unknown,
  args: Record<string, unknown>,
  ctx: RequestContext,
  info: GraphQLResolveInfo,
): Promise<GraphQLError> {
  if (thrown instanceof GraphQLError) return thrown;
  const root = info.parentType.name === 'Query' || info.parentType.name === 'Mutation';
  if (root && ctx.principal) {
    await recordAccess(ctx, [
      {
        patientId: patientArg(args, info),
        resourceType: `graphql:${info.parentType.name}.${info.fieldName}`,
        action: info.parentType.name === 'Query' ? 'read' : 'update',
        purpose: ctx.principal.purposeOfUse,
        outcome: 'deny',
        reason: 'denied:role-or-scope',
      },
    ]);
  }
  return forbidden(`Not permitted: ${info.parentType.name}.${info.fieldName}`);
}

/**
 * A shield whose fallback is deny: every field not named in `rules` is
 * refused, resolver errors keep their codes, and refusals are audited.
 */
export function buildShield(rules: IRules) {
  return shield(rules, {
    fallbackRule: once('deny', () => rule('deny', { cache: 'contextual' })(() => false)),
    allowExternalErrors: true,
    fallbackError: refusal as never,
  });
}

/**
 * Any signed-in caller of the care platform (reference data, entity stubs):
 * every role but `researcher`. Researchers reach Carefed only through the
 * open-data subgraph, which names them itself; nothing else is theirs, not
 * even the public directories (a researcher's token is for research use only).
 */
export const anyRole: ShieldRule = hasRole(...ROLES.filter((r) => r !== 'researcher'));

/** Allows every field of the named value types (their parent field was already checked). */
export function allowTypes(...names: string[]): Record<string, ShieldRule> {
  return Object.fromEntries(names.map((n) => [n, allow]));
}

export { allow, and, or, deny } from 'graphql-shield';

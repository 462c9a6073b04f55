import {
  Kind,
  valueFromASTUntyped,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/** How list sizes are estimated. */
export interface CostOptions {
  /** Size assumed for a paged list (a field with a `first` argument) when `first` is not given. */
  defaultPageSize: number;
  /** Size assumed for a list field that takes no `first` argument (telecom, consents…). */
  unpagedListSize: number;
  /** Assumed sizes for particular fields, by `Type.field` (their own default page, or their cap). */
  fieldSizes?: Record<string, number>;
  /** Work a field does over a window of days, beyond what it returns, by `Type.field`. */
  rangeWork?: Record<string, RangeWork>;
}

/**
 * A field whose work grows with a window of days times how many items its filters can match
 * (free slots: every schedule a filter matches is laid out day by day), whatever page it
 * returns. It costs `perItemDay` × days × items, added once per time the field runs.
 */
export interface RangeWork {
  /** The arguments holding the window's start and end (date-times). */
  from: string;
  to: string;
  /** The longest window the field serves; a window not known before running counts as this. */
  maxDays: number;
  /**
   * How many items each filter argument can match (a configured cap). Given several, the
   * smallest counts; given none, the largest.
   */
  itemsPerFilter: Record<string, number>;
  /** Cost of one item for one day. */
  perItemDay: number;
}

const DAY_MS = 86_400_000;

/** The cost of a {@link RangeWork} field called with `args`. */
function rangeWorkCost(work: RangeWork, args: Map<string, unknown>): number {
  const from = Date.parse(String(args.get(work.from)));
  const to = Date.parse(String(args.get(work.to)));
  const known = Number.isFinite(from) && Number.isFinite(to);
  const days = known
    ? Math.min(work.maxDays, Math.max(1, Math.ceil((to - from) / DAY_MS)))
    : work.maxDays;
  const caps = Object.entries(work.itemsPerFilter);
  const given = caps.filter(([arg]) => args.get(arg) !== undefined && args.get(arg) !== null);
  const items = Math.max(
    1,
    given.length > 0
      ? Math.min(...given.map(([, n]) => n))
      : Math.max(...caps.map(([, n]) => n), 1),
  );
  return work.perItemDay * days * items;
}

/** The arguments that set a page size, in the order they are looked for. */
const PAGE_ARGUMENTS = ['first', 'last'];

/**
 * Estimates what an operation costs to answer, before it runs: every field
 * selected costs 1 plus what its sub-selection costs, and a field that returns
 * many (a paged connection or a list) multiplies that by how many it may
 * return; a field with `rangeWork` adds the work its window and filters imply
 * (days × items it can match), however small its page. A page's size is its `first` (or `last`) argument, literal or
 * variable, else the field's `fieldSizes` entry, else `defaultPageSize`; a
 * list without a page argument counts `unpagedListSize` (or its `fieldSizes`
 * entry), except the `edges` of a connection, already counted by the
 * connection's page. `__typename` is free and introspection fields are not
 * counted (introspection is off in production).
 *
 * graphql-armor's own cost rule multiplies by `first` only when it is a literal
 * and counts nothing when it is missing or a variable, so a client would pay
 * for `patients(first: $n)` as for one patient: hence this estimator.
 */
export function estimateCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>> | undefined,
  opts: CostOptions,
): number {
  const vars = { ...variables };
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions)
    if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);

  // Types are told apart by their printed form and methods, not graphql-js' `is…Type`
  // predicates: those refuse a schema built by another copy of graphql-js (under vitest,
  // Apollo's CommonJS copy builds the schema and this file gets the ES one).
  const fieldsOf = (typeName: string): Record<string, GraphQLField<unknown, unknown>> => {
    const type = schema.getType(typeName);
    // Input types have fields too, but validation keeps them out of selections.
    return type && 'getFields' in type
      ? (type.getFields() as Record<string, GraphQLField<unknown, unknown>>)
      : {};
  };

  const pageSize = (
    parent: string,
    field: GraphQLField<unknown, unknown>,
    args: Map<string, unknown>,
  ): number | undefined => {
    const pageArg = PAGE_ARGUMENTS.find((name) => field.args.some((a) => a.name === name));
    const own = opts.fieldSizes?.[`${parent}.${field.name}`];
    if (pageArg) {
      const given = args.get(pageArg);
      if (typeof given === 'number' && Number.isInteger(given) && given >= 0) return given;
      return own ?? opts.defaultPageSize;
    }
    if (!String(field.type).startsWith('[')) return undefined;
    // A connection's edges are as many as the page the connection was asked for.
    if (parent.endsWith('Connection')) return 1;
    return own ?? opts.unpagedListSize;
  };

  const argumentsOf = (node: FieldNode): Map<string, unknown> =>
    new Map((node.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value, vars)]));

  const costOf = (
    selectionSet: SelectionSetNode,
    parent: string,
    visiting: Set<string>,
  ): number => {
    let cost = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (name === '__typename' || name === '__schema' || name === '__type') continue;
        const field = fieldsOf(parent)[name];
        // Unknown fields fail validation before this runs; count them as leaves to be safe.
        if (!field) {
          cost += 1;
          continue;
        }
        let own = 1;
        if (selection.selectionSet)
          own += costOf(
            selection.selectionSet,
            String(field.type).replace(/[[\]!]/g, ''),
            visiting,
          );
        const args = argumentsOf(selection);
        const multiplier = selection.selectionSet ? (pageSize(parent, field, args) ?? 1) : 1;
        const work = opts.rangeWork?.[`${parent}.${name}`];
        cost += own * multiplier + (work ? rangeWorkCost(work, args) : 0);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        cost += costOf(
          selection.selectionSet,
          selection.typeCondition?.name.value ?? parent,
          visiting,
        );
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || visiting.has(name)) continue;
        visiting.add(name);
        cost += costOf(fragment.selectionSet, fragment.typeCondition.name.value, visiting);
        visiting.delete(name);
      }
    }
    return cost;
  };

  const root = schema.getRootType(operation.operation);
  return root ? costOf(operation.selectionSet, root.name, new Set()) : 0;
}

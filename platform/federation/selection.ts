import {
  getDirectiveValues,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  type GraphQLResolveInfo,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';

/**
 * Every field name selected beneath the resolving field, at any depth,
 * through fragments and inline fragments. An over-approximation (a name
 * selected on a nested object counts too, and `@skip`/`@include` are not
 * evaluated), so a resolver that does per-field work only for names in this
 * set never leaves out a field the query asked for.
 */
export function selectedFieldNames(info: GraphQLResolveInfo): Set<string> {
  const names = new Set<string>();
  const seenFragments = new Set<string>();
  const walk = (set: SelectionSetNode | undefined): void => {
    for (const s of set?.selections ?? []) {
      if (s.kind === Kind.FIELD) {
        names.add(s.name.value);
        walk(s.selectionSet);
      } else if (s.kind === Kind.INLINE_FRAGMENT) {
        walk(s.selectionSet);
      } else if (!seenFragments.has(s.name.value)) {
        seenFragments.add(s.name.value);
        walk(info.fragments[s.name.value]?.selectionSet);
      }
    }
  };
  for (const node of info.fieldNodes) walk(node.selectionSet);
  return names;
}

/** Whether a selection is certainly included: its `@skip`/`@include` evaluated, any other directive unknown. */
function included(node: SelectionNode, info: GraphQLResolveInfo): boolean {
  const known = new Set([GraphQLSkipDirective.name, GraphQLIncludeDirective.name]);
  if (node.directives?.some((d) => !known.has(d.name.value))) return false;
  const skip = getDirectiveValues(GraphQLSkipDirective, node, info.variableValues);
  const include = getDirectiveValues(GraphQLIncludeDirective, node, info.variableValues);
  return skip?.if !== true && include?.if !== false;
}

/**
 * Whether the query certainly resolves `name` on the objects the resolving
 * field returns, reached through `path` (field names, e.g. `['edges',
 * 'node']` for a connection's nodes): selected there, through fragments,
 * included by every `@skip`/`@include` on the way and under no other
 * directive. False when unsure, so work done ahead on a true answer is never work the query did
 * not ask for.
 */
export function selectsField(
  info: GraphQLResolveInfo,
  path: readonly string[],
  name: string,
): boolean {
  const within = (set: SelectionSetNode | undefined, rest: readonly string[]): boolean =>
    (set?.selections ?? []).some((s) => {
      if (!included(s, info)) return false;
      if (s.kind === Kind.INLINE_FRAGMENT) return within(s.selectionSet, rest);
      if (s.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = info.fragments[s.name.value];
        return fragment !== undefined && within(fragment.selectionSet, rest);
      }
      if (rest.length === 0) return s.name.value === name;
      return s.name.value === rest[0] && within(s.selectionSet, rest.slice(1));
    });
  return info.fieldNodes.some((n) => within(n.selectionSet, path));
}

import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

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

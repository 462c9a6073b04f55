import { GraphQLError, Kind, type ValidationContext, type ASTVisitor } from 'graphql';

/**
 * Refuses a selection set that names the same field (response key) more than
 * `max` times, as in `{ __typename __typename … }` × 500: graphql merges the
 * copies, so they fetch nothing more, but checking that they can be merged
 * costs the square of their number, and no real client repeats a field.
 * Aliased copies have distinct keys: the alias limit counts those.
 */
export function maxFieldRepeatsRule(
  max: number,
  code: string,
): (context: ValidationContext) => ASTVisitor {
  return (context) => ({
    SelectionSet(node) {
      const counts = new Map<string, number>();
      for (const selection of node.selections) {
        if (selection.kind !== Kind.FIELD) continue;
        const key = selection.alias?.value ?? selection.name.value;
        const n = (counts.get(key) ?? 0) + 1;
        counts.set(key, n);
        if (n === max + 1)
          context.reportError(
            new GraphQLError(
              `Field "${key}" is selected more than ${max} times in one selection set.`,
              { nodes: [selection], extensions: { code } },
            ),
          );
      }
    },
  });
}

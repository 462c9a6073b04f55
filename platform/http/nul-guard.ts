import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { BREAK, GraphQLError, visit, type DocumentNode } from 'graphql';

const NUL = '\u0000';

/** Whether a GraphQL document holds a string literal (block strings too) with U+0000. */
export function documentHasNul(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    StringValue(node) {
      if (!node.value.includes(NUL)) return undefined;
      found = true;
      return BREAK;
    },
  });
  return found;
}

/**
 * Whether a JSON value (request variables) holds U+0000 in any string or key,
 * however deep in input objects and lists. Iterative, so deep nesting cannot
 * overflow the stack (body size already bounds the work).
 */
export function valueHasNul(root: unknown): boolean {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (v.includes(NUL)) return true;
    } else if (Array.isArray(v)) {
      stack.push(...(v as unknown[]));
    } else if (v !== null && typeof v === 'object') {
      for (const [k, inner] of Object.entries(v)) {
        if (k.includes(NUL)) return true;
        stack.push(inner);
      }
    }
  }
  return false;
}

/**
 * Refuses, before execution, any operation whose string literals or variables
 * carry a NUL character: PostgreSQL cannot store U+0000 in text, and an id or
 * string holding one would otherwise surface as an internal error deep in a
 * resolver. Registered on the gateway and on every subgraph (defence in
 * depth). Thrown in `didResolveOperation`, where Apollo keeps the error as is.
 */
export function nulGuardPlugin<C extends BaseContext>(): ApolloServerPlugin<C> {
  return {
    requestDidStart() {
      return Promise.resolve({
        didResolveOperation({ document, request }) {
          if (documentHasNul(document) || valueHasNul(request.variables ?? null))
            throw new GraphQLError('Strings and ids must not contain the NUL character (U+0000)', {
              extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
            });
          return Promise.resolve();
        },
      });
    },
  };
}

/**
 * GraphQL Code Generator configuration: typed operations for frontend teams
 * and the persisted-operation manifest for partner apps, over the composed
 * API schema and `schema/operations/`. A placeholder until the gateway-edge
 * work (issue #4) adds @graphql-codegen and the safelist; the inputs below
 * are where it will read from.
 */
export const codegenInputs = {
  schema: 'schema/supergraph.graphql',
  documents: 'schema/operations/**/*.graphql',
} as const;

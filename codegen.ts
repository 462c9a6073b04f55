import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * GraphQL Code Generator configuration: typed documents for frontend teams
 * (client preset, in `schema/generated/`) over the API schema the gateway
 * serves (`schema/api.graphql`, derived from the supergraph) and the
 * operations under `schema/operations/`. `npm run codegen` runs it together
 * with the API schema and the persisted-operation manifest
 * (scripts/codegen-lib.ts); `npx graphql-codegen --config codegen.ts` runs
 * this part alone.
 */
export const codegenInputs = {
  supergraph: 'schema/supergraph.graphql',
  apiSchema: 'schema/api.graphql',
  documents: 'schema/operations/**/*.graphql',
  generated: 'schema/generated/',
  manifest: 'schema/operations/manifest.json',
} as const;

const config: CodegenConfig = {
  schema: codegenInputs.apiSchema,
  documents: codegenInputs.documents,
  ignoreNoDocuments: false,
  emitLegacyCommonJSImports: false,
  generates: {
    [codegenInputs.generated]: {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTimeISO: 'string' },
      },
    },
  },
};

export default config;

import { writeCodegenOutputs } from './codegen-lib.js';

// Regenerates the API schema, the typed documents and the persisted-operation manifest.
for (const file of await writeCodegenOutputs()) console.log(`wrote ${file}`);

import 'reflect-metadata';
import { writeComposedSchema } from './compose-lib.js';

const written = await writeComposedSchema();
for (const file of written) console.log(`wrote ${file}`);

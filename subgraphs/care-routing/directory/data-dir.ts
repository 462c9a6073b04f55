import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** `data/care-routing`: the facility directory the product ships with (see its README). */
export const CARE_ROUTING_DATA_DIR = path.join(ROOT, 'data', 'care-routing');

import { writeRrf } from './build-rrf.js';
import { DEMO_CATALOGUE, rrfSources } from './demo.js';

/** `npm run catalogue:build-rrf`: rebuilds data/pharmacy/rxnorm from the drug files. */
const built = writeRrf(rrfSources(), DEMO_CATALOGUE.rrfDir);
process.stdout.write(
  `RRF written to ${DEMO_CATALOGUE.rrfDir}: ${built.drugs} drugs, ${built.ingredients} ingredients; ` +
    `${built.withoutIngredients.length} drugs name no ingredient (${built.withoutIngredients.join(', ')})\n`,
);

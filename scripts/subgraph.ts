import 'reflect-metadata';
import { runSubgraph } from '../platform/federation/run-subgraph.js';
import { subgraphNamed } from '../subgraphs/registry.js';

// `npm run subgraph -- <name>`: one subgraph alone (a container), with its event worker,
// as the registry defines it (subgraphs/<name>/spec.ts).
const name = process.argv.slice(2).find((a) => !a.startsWith('-'));
if (!name) {
  console.error('usage: npm run subgraph -- <name>');
  process.exit(2);
}
await runSubgraph(subgraphNamed(name));

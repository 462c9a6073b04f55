import 'reflect-metadata';
import { loadConfig } from '../platform/config/index.js';
import { onShutdown } from '../platform/http/shutdown.js';
import { demoTokens } from './demo-tokens.js';
import { startStack } from './stack.js';

// `npm start -- --production` runs every production setting on the embedded database and the dev issuer.
const production = process.argv.includes('--production');
const config = loadConfig({ ...process.env, ...(production ? { CAREFED_PRODUCTION: '1' } : {}) });
const stack = await startStack({ config, seed: true });

const out: string[] = ['', `Carefed gateway: ${stack.gatewayUrl}`];
if (stack.devIssuer && stack.seed) {
  out.push('', 'Demo tokens (valid 12 hours), one per role:');
  for (const [role, token] of Object.entries(await demoTokens(stack.devIssuer, stack.seed)))
    out.push(`${role} ${token}`);
}
out.push(
  '',
  `Try: curl -s ${stack.gatewayUrl} -H 'content-type: application/json' -H "authorization: Bearer $TOKEN" -d '{"query":"{ me { subject roles } }"}'`,
  '',
);
process.stdout.write(`${out.join('\n')}\n`);

onShutdown(stack.log, () => stack.stop());

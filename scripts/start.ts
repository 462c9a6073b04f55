import 'reflect-metadata';
import { loadConfig } from '../platform/config/index.js';
import { onShutdown } from '../platform/http/shutdown.js';
import { devClientSecretFile } from '../gateway/clients/load.js';
import { DEV_IDS } from '../platform/identity/dev-principal.js';
import { demoPartnerToken, demoPayerToken, demoSubjects, demoTokens } from './demo-tokens.js';
import { startStack } from './stack.js';

// `npm start -- --production` runs every production setting on the embedded database and the dev issuer.
const production = process.argv.includes('--production');
const config = loadConfig({ ...process.env, ...(production ? { CAREFED_PRODUCTION: '1' } : {}) });
const stack = await startStack({ config, seed: true });

const out: string[] = ['', `Carefed gateway: ${stack.gatewayUrl}`];
if (!config.production)
  out.push(`API explorer: ${new URL('/explorer', stack.gatewayUrl).toString()}`);
if (stack.devIssuer && stack.seed) {
  out.push('', 'Demo tokens (valid 12 hours), one per role:');
  for (const [role, token] of Object.entries(await demoTokens(stack.devIssuer, stack.seed)))
    out.push(`${role} ${token}`);
  const { patientId } = demoSubjects(stack.seed);
  // The partner's comes from the token endpoint, as a real partner app's would: 1 hour, persisted operations only.
  out.push(`partner ${await demoPartnerToken(stack.gatewayUrl, config.keysDir, patientId)}`);
  out.push(`payer ${await demoPayerToken(stack.gatewayUrl, config.keysDir)}`);
  const secretFile = devClientSecretFile(config.keysDir, DEV_IDS.partnerClient);
  out.push(
    '',
    `The partner token (1 hour) is ${DEV_IDS.partnerClient}'s, from POST /oauth/token; it runs only the operations in schema/operations/manifest.json, sent by id. Another:`,
    `  curl -s ${new URL('/oauth/token', stack.gatewayUrl).toString()} -u "${DEV_IDS.partnerClient}:$(cat ${secretFile})" -d grant_type=client_credentials -d patient=${patientId}`,
    `The payer token is ${DEV_IDS.payerClient}'s (UnitedHealthcare's app): it sees and adjudicates only claims against UnitedHealthcare coverage, through persisted operations.`,
  );
}
out.push(
  '',
  `Try: curl -s ${stack.gatewayUrl} -H 'content-type: application/json' -H "authorization: Bearer $TOKEN" -d '{"query":"{ me { subject roles } }"}'`,
  '',
);
process.stdout.write(`${out.join('\n')}\n`);

onShutdown(stack.log, () => stack.stop());

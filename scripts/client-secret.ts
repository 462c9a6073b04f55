import { hashClientSecret, newClientSecret } from '../gateway/clients/secret.js';

// A new client secret for a CLIENTS_FILE entry: give the secret to the app, keep only the hash.
const secret = newClientSecret();
process.stdout.write(`secret      ${secret}\nsecretHash  ${await hashClientSecret(secret)}\n`);

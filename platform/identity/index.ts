export * from './principal.js';
export * from './claims.js';
export * from './verify.js';
export * from './dev-issuer.js';
export * from './internal-token.js';
export { TOKEN_USAGE, TokenCliError, tokenCli } from './token-cli.js';
export { ASYMMETRIC_ALGORITHMS } from './strict-verify.js';

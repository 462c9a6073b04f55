export * from './scopes.js';
export * from './consent.js';
export * from './break-glass.js';
export * from './decide.js';
export * from './record-access.js';
export * from './access-facts/index.js';

export * from './scopes.js';
export * from './consent.js';
export * from './break-glass.js';
export * from './decide.js';

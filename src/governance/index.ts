export * from './counting/index.js';
export * from './delegation.js';
export * from './proposal.js';
export * from './snapshot.js';

export * from './counting/index.js';
export * from './delegation.js';
export * from './governed-state.js';
export * from './proposal.js';
export * from './snapshot.js';
export * from './snapshot-ledger.js';
export * from './tally-ledger.js';
export * from './vote.js';

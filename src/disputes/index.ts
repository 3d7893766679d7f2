export * from './dispute-events.js';
export * from './dispute-state.js';
export * from './electorate.js';
export * from './juror-vote.js';
export * from './lottery.js';
export * from './outcomes.js';
export * from './settlement.js';
export * from './terms.js';

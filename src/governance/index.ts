export * from './counting/index.js';
export * from './delegation.js';

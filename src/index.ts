/**
 * agora402: self-governance for agents that pay each other over Lightning (L402).
 * Each layer also has its own entry point (`agora402/core`, `agora402/identity`, `agora402/ledger`, ...).
 */

export * from './anchor/index.js';
export * from './core/index.js';
export { governedState } from './decisions.js';
export * from './identity/index.js';
export * from './l402/index.js';
export * from './ledger/index.js';
export * from './lightning/index.js';
export * from './receipts/index.js';
export { type AgoraRegistryOptions, agoraRegistry, defaultEventTypes } from './registry.js';
export * from './reputation/index.js';
export * from './stake/index.js';
export * from './zk/index.js';

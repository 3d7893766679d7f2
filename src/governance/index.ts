export * from './counting/index.js';

/**
 * `agora402/lightning/ldk`: real Lightning nodes (LDK compiled to WebAssembly) on a local regtest chain, kept apart
 * from `agora402/lightning` because the bindings are large; they are loaded on the first {@link LdkNetwork.create}.
 */
export { LdkNetwork, type LdkNetworkOptions } from './ldk-network.js';
export { LdkNode } from './ldk-node.js';
export { loadLdk } from './ldk-runtime.js';
export { type ChainListener, type LocalBlock, LocalChain } from './local-chain.js';

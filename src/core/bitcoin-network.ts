/**
 * A Bitcoin network: the chain an anchor is committed to, and the chain whose BOLT 11 prefix an invoice carries
 * (`bc`, `tb`, `tbs`, `bcrt`). One name for both layers, so a network chosen once is understood everywhere.
 */
export type BitcoinNetwork = 'bitcoin' | 'testnet' | 'signet' | 'regtest';

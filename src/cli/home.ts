import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AnchorNetwork } from '../anchor/index.js';
import { AgoraError, type BitcoinNetwork, ErrorCode } from '../core/index.js';
import { loadAgentKey } from '../identity/index.js';
import type { EventRegistry } from '../ledger/index.js';
import { Ledger } from '../ledger/index.js';
import { agoraRegistry } from '../registry.js';

/** Where an agent keeps its key and ledger. */
export interface HomePaths {
  readonly root: string;
  readonly key: string;
  readonly ledger: string;
  /** The Bitcoin network the home's ledger anchors to (one word; `bitcoin` when the file is absent). */
  readonly network: string;
}

/** Resolves the home directory: `--home`, else `AGORA_HOME`, else `~/.agora402`. */
export function resolveHome(
  option: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string {
  return resolve(option ?? env.AGORA_HOME ?? join(homedir(), '.agora402'));
}

export function homePaths(root: string): HomePaths {
  return { root, key: join(root, 'key.json'), ledger: join(root, 'ledger'), network: join(root, 'network') };
}

const NETWORKS: readonly BitcoinNetwork[] = ['bitcoin', 'testnet', 'signet', 'regtest'];

/**
 * The network a home anchors to, as `agora init --network` wrote it; `bitcoin` by default. It is the ledger's
 * configuration: an anchor event claiming another chain is refused, whatever a command line says.
 */
export async function homeNetwork(root: string): Promise<BitcoinNetwork> {
  let text: string;
  try {
    text = (await readFile(homePaths(root).network, 'utf8')).trim();
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return 'bitcoin';
    throw new AgoraError(ErrorCode.Io, `cannot read ${homePaths(root).network}`, { cause });
  }
  if (!NETWORKS.includes(text as BitcoinNetwork))
    throw new AgoraError(
      ErrorCode.InvalidState,
      `${homePaths(root).network} names no network (${NETWORKS.join(', ')})`,
    );
  return text as BitcoinNetwork;
}

/** Every event type this build of agora402 understands, anchors verified for `network` (default `bitcoin`). */
export function defaultRegistry(network: BitcoinNetwork | AnchorNetwork = 'bitcoin'): EventRegistry {
  return agoraRegistry({ network });
}

export async function openHomeLedger(root: string): Promise<Ledger> {
  return Ledger.open(homePaths(root).ledger, { registry: defaultRegistry(await homeNetwork(root)) });
}

/** Runs `task` on the home ledger and closes it whatever happens. */
export async function withHomeLedger<T>(root: string, task: (ledger: Ledger) => Promise<T>): Promise<T> {
  const ledger = await openHomeLedger(root);
  try {
    return await task(ledger);
  } finally {
    await ledger.close();
  }
}

/** The `--home` line of every command's help. */
export const HOME_HELP = ['--home DIR', 'agent home (default: $AGORA_HOME or ~/.agora402)'] as const;

export function loadHomeKey(root: string) {
  return loadAgentKey(homePaths(root).key);
}

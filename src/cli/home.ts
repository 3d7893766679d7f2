import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { anchorEventTypes } from '../anchor/index.js';
import {
  delegationSetType,
  proposalCanceledType,
  proposalCreatedType,
  snapshotSourcesType,
  voteCastType,
} from '../governance/index.js';
import { loadAgentKey } from '../identity/index.js';
import { agentRegisteredType, EventRegistry, Ledger } from '../ledger/index.js';
import { receiptRatingType, receiptType } from '../receipts/index.js';
import { stakeEventTypes } from '../stake/index.js';

/** Where an agent keeps its key and ledger. */
export interface HomePaths {
  readonly root: string;
  readonly key: string;
  readonly ledger: string;
}

/** Resolves the home directory: `--home`, else `AGORA_HOME`, else `~/.agora402`. */
export function resolveHome(
  option: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string {
  return resolve(option ?? env.AGORA_HOME ?? join(homedir(), '.agora402'));
}

export function homePaths(root: string): HomePaths {
  return { root, key: join(root, 'key.json'), ledger: join(root, 'ledger') };
}

/** Every event type this build of agora402 understands. */
export function defaultRegistry(): EventRegistry {
  return new EventRegistry([
    agentRegisteredType,
    receiptType,
    receiptRatingType,
    delegationSetType,
    proposalCreatedType,
    snapshotSourcesType,
    proposalCanceledType,
    voteCastType(),
    ...stakeEventTypes,
    ...anchorEventTypes,
  ]);
}

export function openHomeLedger(root: string): Promise<Ledger> {
  return Ledger.open(homePaths(root).ledger, { registry: defaultRegistry() });
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

import { stat, unlink, writeFile } from 'node:fs/promises';
import { AgoraError, type BitcoinNetwork, checkNetworkConfig, ErrorCode } from '../../core/index.js';
import { generateAgentKey, saveAgentKey, zkIdentity } from '../../identity/index.js';
import { createAgentRegistration } from '../../ledger/index.js';
import type { Command } from '../command.js';
import { homePaths, makeDirectories, networkFileText, openHomeLedger } from '../home.js';
import { write } from '../io.js';

export const initCommand: Command = {
  name: 'init',
  summary: 'create an agent key and an empty ledger, and register the agent in it',
  usage:
    '[--home DIR] [--name NAME] [--node-key HEX]... [--network CHAIN] [--seed ID]... [--custodian ID]... [--max-snapshot-age S] [--max-window S] [--anchor-grace S] [--json]',
  examples: [
    'agora init --home ~/.agora402 --name alice --seed <founder id> --seed <founder id> --custodian <custodian id>',
    'agora init --home ./bob --network regtest --json',
  ],
  help: [
    ['--home DIR', 'agent home (default: $AGORA_HOME or ~/.agora402)'],
    ['--name NAME', 'a human-readable name to publish (not unique, not trusted)'],
    ['--node-key HEX', 'a Lightning node key (33-byte compressed hex) you are paid through; repeatable'],
    ['--network CHAIN', 'the Bitcoin network anchors go to: bitcoin (default) | testnet | signet | regtest'],
    [
      '--seed ID',
      "a pre-trusted agent of the network's reputation; repeatable (needed for reputation weights on bitcoin; without, the oldest registrations, a development default)",
    ],
    [
      '--custodian ID',
      'a stake custodian the network accepts; repeatable (needed for stake weights on bitcoin; without, every custodian)',
    ],
    ['--max-snapshot-age S', 'most seconds a proposal snapshot may precede its opening (default 86400)'],
    ['--max-window S', 'most seconds a voting window may last, extension included (default 2592000)'],
    ['--anchor-grace S', 'most seconds after voting closed a decision may be anchored (default 172800)'],
    ['--json', 'print the result as JSON'],
  ],
  options: {
    network: { type: 'string' },
    name: { type: 'string' },
    'node-key': { type: 'string', multiple: true },
    seed: { type: 'string', multiple: true },
    custodian: { type: 'string', multiple: true },
    'max-snapshot-age': { type: 'string' },
    'max-window': { type: 'string' },
    'anchor-grace': { type: 'string' },
    json: { type: 'boolean' },
  },
  async run({ io, home, values }) {
    const paths = homePaths(home);
    const exists = await stat(paths.key).then(
      () => true,
      () => false,
    );
    if (exists) throw new AgoraError(ErrorCode.AlreadyExists, `${home} already holds an agent key`);
    const network = values.network ?? 'bitcoin';
    if (!['bitcoin', 'testnet', 'signet', 'regtest'].includes(network as string))
      throw new AgoraError(ErrorCode.Usage, '--network is bitcoin, testnet, signet or regtest');
    const config = networkConfigOf(network as BitcoinNetwork, values);
    await makeDirectories(paths.ledger);
    // Written before the ledger opens: the ledger's anchor verifiers and snapshots are configured from it.
    await writeFile(paths.network, networkFileText(config));
    const key = generateAgentKey();
    const options: { name?: string; nodeKeys?: string[] } = {
      nodeKeys: (values['node-key'] as string[]) ?? [],
    };
    if (typeof values.name === 'string') options.name = values.name;
    // Build (and so validate) the registration before anything is written.
    const registration = await createAgentRegistration(key, options);
    const ledger = await openHomeLedger(home);
    try {
      await saveAgentKey(paths.key, key);
      await ledger.append(registration).catch(async (cause: unknown) => {
        // Leave no half-initialized home: a key without its registration would block a retry.
        await unlink(paths.key).catch(() => {});
        throw cause;
      });
    } finally {
      await ledger.close();
    }
    const { commitment } = await zkIdentity(key);
    if (values.json) {
      await write(
        io.stdout,
        `${JSON.stringify({ id: key.id, home, zkCommitment: commitment.toString() })}\n`,
      );
    } else {
      await write(io.stdout, `initialized agent ${key.id}\nhome ${home}\n`);
    }
  },
};

/** The network configuration `init`'s flags give; `USAGE` naming the first bad one. */
function networkConfigOf(chain: BitcoinNetwork, values: Record<string, unknown>) {
  const seconds = (flag: string) => {
    const text = values[flag];
    if (text === undefined) return undefined;
    if (typeof text !== 'string' || !/^[1-9]\d{0,9}$/.test(text))
      throw new AgoraError(ErrorCode.Usage, `--${flag} is a whole number of seconds`);
    return Number(text);
  };
  const time = Object.fromEntries(
    (
      [
        ['maxSnapshotAge', seconds('max-snapshot-age')],
        ['maxWindow', seconds('max-window')],
        ['anchorGrace', seconds('anchor-grace')],
      ] as const
    ).filter(([, value]) => value !== undefined),
  );
  try {
    return checkNetworkConfig({
      chain,
      ...(values.seed === undefined ? {} : { seeds: values.seed }),
      ...(values.custodian === undefined ? {} : { custodians: values.custodian }),
      ...(Object.keys(time).length === 0 ? {} : { time }),
    });
  } catch (cause) {
    throw new AgoraError(ErrorCode.Usage, (cause as Error).message.replace('network configuration: ', ''), {
      cause,
    });
  }
}

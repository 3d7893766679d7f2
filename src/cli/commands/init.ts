import { stat, unlink, writeFile } from 'node:fs/promises';
import { AgoraError, ErrorCode } from '../../core/index.js';
import { generateAgentKey, saveAgentKey, zkIdentity } from '../../identity/index.js';
import { createAgentRegistration } from '../../ledger/index.js';
import type { Command } from '../command.js';
import { homePaths, makeDirectories, openHomeLedger } from '../home.js';
import { write } from '../io.js';

export const initCommand: Command = {
  name: 'init',
  summary: 'create an agent key and an empty ledger, and register the agent in it',
  usage: '[--home DIR] [--name NAME] [--node-key HEX]... [--network CHAIN] [--json]',
  examples: [
    'agora init --home ~/.agora402 --name alice',
    'agora init --home ./bob --network regtest --json',
  ],
  help: [
    ['--home DIR', 'agent home (default: $AGORA_HOME or ~/.agora402)'],
    ['--name NAME', 'a human-readable name to publish (not unique, not trusted)'],
    ['--node-key HEX', 'a Lightning node key (33-byte compressed hex) you are paid through; repeatable'],
    ['--network CHAIN', 'the Bitcoin network anchors go to: bitcoin (default) | testnet | signet | regtest'],
    ['--json', 'print the result as JSON'],
  ],
  options: {
    network: { type: 'string' },
    name: { type: 'string' },
    'node-key': { type: 'string', multiple: true },
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
    await makeDirectories(paths.ledger);
    // Written before the ledger opens: the ledger's anchor verifiers are configured from it.
    await writeFile(paths.network, `${network}\n`);
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

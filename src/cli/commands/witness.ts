import { witnessRound } from '../../anchor/index.js';
import { AgoraError, ErrorCode, networkWitnesses } from '../../core/index.js';
import type { Command } from '../command.js';
import { HOME_HELP, loadHomeKey, withHomeLedger } from '../home.js';
import { write } from '../io.js';

export const witnessRoundCommand: Command = {
  name: 'witness round',
  summary:
    'as a publication witness of the network, list the events you hold and have not listed yet (witness.batch); anchor each batch with agora anchor commit',
  usage: '[--home DIR] [--json]',
  examples: ['agora witness round', 'agora witness round --json'],
  help: [HOME_HELP, ['--json', 'print [{batch, commitment, ids}] as JSON']],
  options: { json: { type: 'boolean' } },
  async run({ io, home, values }) {
    const key = await loadHomeKey(home);
    await withHomeLedger(home, async (ledger) => {
      // Checked on ingest too: a batch by anyone else is refused; said here with the setting to change.
      if (!networkWitnesses(ledger.registry.network).includes(key.id))
        throw new AgoraError(
          ErrorCode.InvalidState,
          `${key.id} is not a publication witness of this network: its configuration names witnesses (or custodians and seeds)`,
        );
      const batches = await witnessRound(ledger, key);
      for (const batch of batches) await ledger.append(batch.event);
      const shown = batches.map((batch) => ({
        batch: batch.id,
        commitment: batch.commitment,
        ids: (batch.event.body as unknown as { ids: string[] }).ids.length,
      }));
      await write(
        io.stdout,
        values.json
          ? `${JSON.stringify(shown)}\n`
          : shown.length === 0
            ? 'nothing new to witness\n'
            : shown
                .map((s) => `batch ${s.batch}: ${s.ids} events; anchor it: agora anchor commit ${s.batch}\n`)
                .join(''),
      );
    });
  },
};

import { zkIdentity } from '../../identity/index.js';
import type { Command } from '../command.js';
import { homePaths, loadHomeKey } from '../home.js';
import { write } from '../io.js';

export const idShowCommand: Command = {
  name: 'id show',
  summary: "print this agent's id and ZK commitment",
  usage: '[--home DIR] [--json]',
  examples: ['agora id show', 'agora id show --home ./bob --json'],
  help: [
    ['--home DIR', 'agent home (default: $AGORA_HOME or ~/.agora402)'],
    ['--json', 'print as JSON'],
  ],
  options: { json: { type: 'boolean' } },
  async run({ io, home, values }) {
    const key = await loadHomeKey(home);
    const { commitment } = await zkIdentity(key);
    const info = { id: key.id, zkCommitment: commitment.toString(), home, keyFile: homePaths(home).key };
    if (values.json) {
      await write(io.stdout, `${JSON.stringify(info)}\n`);
    } else {
      await write(
        io.stdout,
        `id            ${info.id}\nzk commitment ${info.zkCommitment}\nhome          ${home}\n`,
      );
    }
  },
};

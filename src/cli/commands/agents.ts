import { systemClock, unixSeconds } from '../../core/index.js';
import type { AgentRegistration } from '../../ledger/index.js';
import { Reputation } from '../../reputation/index.js';
import type { Command } from '../command.js';
import { printable } from '../errors.js';
import { HOME_HELP, withHomeLedger } from '../home.js';
import { write } from '../io.js';
import { isoTime } from '../time.js';

/** One registered agent as `agora agents` lists it. */
export interface AgentRow {
  readonly id: string;
  /** The name in its latest registration; null when it published none. Not unique, not trusted. */
  readonly name: string | null;
  /** Unix seconds of its first registration. */
  readonly registered: number;
  /** Reputation in ppb (parts per billion) of all trust. */
  readonly reputation: number;
}

export const agentsCommand: Command = {
  name: 'agents',
  summary: 'the agents registered in the ledger: ids, names, registration time and reputation',
  usage: '[--home DIR] [--json]',
  examples: ['agora agents', 'agora agents --json | jq -r .name'],
  help: [HOME_HELP, ['--json', 'print JSON lines {id, name, registered (unix s), reputation (ppb)}']],
  options: { json: { type: 'boolean' } },
  async run({ io, home, values }) {
    const now = unixSeconds(systemClock);
    const rows = await withHomeLedger(
      home,
      async (ledger) => {
        const agents = new Map<string, { first: number; latest: number; name: string | null }>();
        for await (const { event } of ledger.events({ type: 'agent.registered' })) {
          // Registrations dated in the future are not in force yet: they neither name nor date the agent.
          if (event.created > now) continue;
          const author = event.author as string;
          const name = (event.body as unknown as AgentRegistration).name ?? null;
          const known = agents.get(author);
          if (known === undefined) agents.set(author, { first: event.created, latest: event.created, name });
          else {
            if (event.created < known.first) known.first = event.created;
            if (event.created >= known.latest) Object.assign(known, { latest: event.created, name });
          }
        }
        const reputation = await Reputation.fromLedger(ledger);
        return [...agents].map(
          ([id, a]): AgentRow => ({
            id,
            name: a.name,
            registered: a.first,
            reputation: reputation.score(id),
          }),
        );
      },
      { readOnly: true },
    );
    rows.sort((a, b) => b.reputation - a.reputation || a.registered - b.registered || (a.id < b.id ? -1 : 1));
    if (values.json) {
      for (const row of rows) await write(io.stdout, `${JSON.stringify(row)}\n`);
      return;
    }
    const width = Math.max(4, ...rows.map((r) => printable(r.name ?? '-', 24).length));
    await write(
      io.stdout,
      `${'agent'.padEnd(64)}  ${'name'.padEnd(width)}  ${'registered (UTC)'.padEnd(20)}  reputation (ppb of all trust)\n`,
    );
    for (const row of rows)
      await write(
        io.stdout,
        `${row.id}  ${printable(row.name ?? '-', 24).padEnd(width)}  ${isoTime(row.registered).padEnd(20)}  ${row.reputation}\n`,
      );
    await write(io.stdout, `${rows.length} agents\n`);
  },
};

// Signs the ledger bench's events in a process of their own and prints them as JSON on stdout:
// `tsx bench/sign-events.ts receipts <count>` or `tsx bench/sign-events.ts registrations <count>`.
// A process remembers the signatures it makes as valid (src/identity/known-signatures.ts), so events signed in the
// process that stores them would be stored without their signatures being checked: an ingest bench must store
// events signed elsewhere, as a replica stores what it reads from relays.
import { execFileSync } from 'node:child_process';
import { generateAgentKey, signObject } from '../src/identity/index.js';
import type { LedgerEvent } from '../src/ledger/index.js';
import { nodeKeys, quickRegistration, signedReceipt } from '../test/fixtures/signed-receipts.js';

/** What {@link signedElsewhere} makes. */
export interface BenchEvents {
  readonly registrations: LedgerEvent[];
  readonly receipts: LedgerEvent[];
}

/**
 * `count` agent registrations of 100 keys (`registrations`), or real receipts (invoice signed by the provider's
 * registered node, preimage, provider's signature) of 100 providers and payers after their registrations: what a
 * ledger stores most.
 */
function sign(kind: string, count: number): BenchEvents {
  if (kind === 'registrations') {
    const keys = Array.from({ length: 100 }, () => generateAgentKey());
    return {
      registrations: Array.from(
        { length: count },
        (_, i) =>
          signObject(keys[i % keys.length] as (typeof keys)[number], {
            v: 1,
            type: 'agent.registered',
            created: 1_700_000_000 + i,
            body: {
              zkCommitment: String(1_000_000 + i),
              nodeKeys: [`02${(i % 256).toString(16).padStart(2, '0').repeat(32)}`],
              name: `agent ${i}`,
            },
          }) as LedgerEvent,
      ),
      receipts: [],
    };
  }
  const agents = Array.from({ length: 100 }, (_, i) => ({
    key: generateAgentKey(),
    node: nodeKeys(`bench-${i}`),
  }));
  const registrations = agents.map(({ key, node }, i) =>
    quickRegistration(key, 1_700_000_000 + i, [node.nodeKey]),
  );
  const receipts = Array.from({ length: count }, (_, i) => {
    const provider = agents[i % agents.length] as (typeof agents)[number];
    const payer = agents[(i * 7 + 3) % agents.length] as (typeof agents)[number];
    return signedReceipt(
      provider.key,
      provider.node,
      payer.key.id,
      1_700_100_000 + i,
      1_000 + (i % 50) * 1_000,
    );
  });
  return { registrations, receipts };
}

/** The events of {@link sign}, signed in a child process: none of their signatures is known to this one. */
export function signedElsewhere(kind: 'receipts' | 'registrations', count: number): BenchEvents {
  const output = execFileSync(
    process.execPath,
    ['--import', 'tsx', new URL(import.meta.url).pathname, kind, String(count)],
    { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return JSON.parse(output.toString('utf8')) as BenchEvents;
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const [kind = '', count = ''] = process.argv.slice(2);
  process.stdout.write(JSON.stringify(sign(kind, Number(count))));
}

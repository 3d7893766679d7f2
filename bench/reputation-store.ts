import { cp, mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type JsonObject, toHex } from '../src/core/index.js';
import { type AgentKey, agentKeyFromSecret, objectId } from '../src/identity/index.js';
import { agentRegisteredType, EventRegistry, Ledger, type LedgerEvent } from '../src/ledger/index.js';
import { FORMAT as STORE_FORMAT } from '../src/ledger/ledger.js';
import { receiptRatingType, receiptType } from '../src/receipts/index.js';
import { type SeededRandom, seededBytes } from '../src/sim/index.js';
import { drawPayment } from '../test/fixtures/trust-graph.js';
import { progress } from './report.js';

/*
 * The ledger the reputation bench reads: `agents` registered agents and `receipts` receipts, half of them rated by
 * their payer. Storing a million receipts costs far more than reading them, so the store is built once and kept under
 * bench/.cache, keyed by the ledger's store format and this fixture's version; every run measures a copy of it, so
 * the refresh batches a run appends never change the kept one.
 *
 * What makes it cheap, and what it is not: its events are NOT signed. Each carries a placeholder signature (zeros)
 * and is stored through a ledger whose verifier accepts any signature, and a registry that skips the receipt and
 * rating rules (placeholder invoices). Signing 1.6 million events (about 0.5 ms each on an idle core here, several
 * times that on this shared machine) would take most of an hour and measure nothing `fromLedger` does: reading never
 * checks a signature or an invoice, it scans the trust index. Verification at ingest is what the ledger bench's
 * `ingest_receipts` measures, on real signed receipts. Never open such a store with a verifying ledger.
 */

/** Bump when the events built change: a kept store of another version is rebuilt. */
const FIXTURE_VERSION = 2;
const CACHE = join(import.meta.dirname, '.cache');
/** 1 s between receipts from here: the refresh batches' clock starts after the last stored receipt. */
export const FIRST_RECEIPT_MS = 1_760_000_000_000;

/** The registry of the bench's ledgers: registrations checked, receipts and ratings taken as signed. */
export function benchRegistry(): EventRegistry {
  return new EventRegistry([
    agentRegisteredType,
    { ...receiptType, verify: () => {} },
    { ...receiptRatingType, verify: () => {} },
  ]);
}

/** The bench's agents: keys from the seed, the same on every run. */
export function benchKeys(agents: number): AgentKey[] {
  return Array.from({ length: agents }, (_, i) => agentKeyFromSecret(seededBytes('bench-agent', String(i))));
}

/** An event to sign: its signer and the object without author and signature. */
interface Unsigned {
  readonly key: AgentKey;
  readonly object: { v: 1; type: string; created: number; body: JsonObject };
}

/**
 * The receipts stored so far, each its id and its payer's index among the bench's keys, kept in typed arrays: as
 * millions of objects they would weigh on every collection of the process whose reads and refreshes are measured.
 */
export class StoredReceipts {
  private ids = new Uint8Array(32 * 1024);
  private payers = new Int32Array(1024);
  length = 0;

  push(id: Uint8Array, payer: number): void {
    if (this.length === this.payers.length) {
      const ids = new Uint8Array(this.ids.length * 2);
      ids.set(this.ids);
      this.ids = ids;
      const payers = new Int32Array(this.payers.length * 2);
      payers.set(this.payers);
      this.payers = payers;
    }
    this.ids.set(id, 32 * this.length);
    this.payers[this.length] = payer;
    this.length += 1;
  }

  /** Receipt `i`: its id (hex) and its payer's index. */
  at(i: number): { id: string; payer: number } {
    return { id: toHex(this.ids.subarray(32 * i, 32 * i + 32)), payer: this.payers[i] as number };
  }
}

/**
 * `count` receipts paid at 1 s intervals from `createdMs` (payer and provider drawn from `random`), half of them
 * rated by their payer, and `ratingsOfOlder` ratings of receipts in `stored` (which the new receipts join), unsigned.
 */
export function receiptBatch(
  random: SeededRandom,
  keys: readonly AgentKey[],
  stored: StoredReceipts,
  first: { payment: number; createdMs: number },
  count: number,
  ratingsOfOlder: number,
): Unsigned[] {
  const events: Unsigned[] = [];
  const seconds = (ms: number) => Math.floor(ms / 1000);
  for (let k = 0; k < ratingsOfOlder; k++) {
    const { id, payer } = stored.at(Math.floor(random.next() * stored.length));
    const rating = random.next() < 0.5 ? -2 : 1;
    events.push(unsignedRating(keys[payer] as AgentKey, id, rating, seconds(first.createdMs)));
  }
  for (let k = 0; k < count; k++) {
    const created = seconds(first.createdMs + (k + 1) * 1000);
    const drawn = drawPayment(random, keys.length);
    const payer = keys[drawn.payer] as AgentKey;
    const provider = keys[drawn.provider] as AgentKey;
    const receipt: Unsigned = {
      key: provider,
      object: {
        v: 1,
        type: 'receipt',
        created,
        body: {
          service: 'api',
          invoice: 'lnbc1unchecked',
          paymentHash: toHex(seededBytes('bench', `payment-${first.payment + k}`)),
          preimage: '00'.repeat(32),
          amountMsat: drawn.amountSat * 1000,
          payer: payer.id,
          status: 200,
        },
      },
    };
    events.push(receipt);
    const id = objectId({ ...receipt.object, author: provider.id });
    stored.push(id, drawn.payer);
    // Half the payers rate what they bought.
    if (random.next() < 0.5) events.push(unsignedRating(payer, toHex(id), drawn.rating, created));
  }
  return events;
}

function unsignedRating(payer: AgentKey, receipt: string, rating: number, created: number): Unsigned {
  return { key: payer, object: { v: 1, type: 'receipt.rating', created, body: { receipt, rating } } };
}

/** `events` with their author and a placeholder signature: for the bench's ledgers only (see above). */
export function placeholderSigned(events: readonly Unsigned[]): LedgerEvent[] {
  return events.map(({ key, object }) => ({ ...object, author: key.id, sig: PLACEHOLDER_SIG }));
}

const PLACEHOLDER_SIG = '00'.repeat(64);

/** The bench's ledger at `dir`: every signature taken as valid (see above). */
export function openBenchLedger(dir: string): Promise<Ledger> {
  return Ledger.open(dir, {
    registry: benchRegistry(),
    verifier: { name: 'bench-placeholder', verify: () => true },
    sync: false,
  });
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Builds the store at `dir`: registrations, then the receipts in batches of 1,000. */
async function build(
  dir: string,
  keys: readonly AgentKey[],
  receipts: number,
  random: SeededRandom,
): Promise<void> {
  const ledger = await openBenchLedger(dir);
  try {
    const registrations = keys.map((key, i) => ({
      key,
      object: {
        v: 1 as const,
        type: 'agent.registered',
        created: 1_700_000_000 + i,
        body: { zkCommitment: String(1_700_000_000 + i), nodeKeys: [] },
      },
    }));
    for (let at = 0; at < registrations.length; at += 10_000)
      await ledger.appendBatch(placeholderSigned(registrations.slice(at, at + 10_000)));
    const stored = new StoredReceipts();
    const batch = (at: number) =>
      placeholderSigned(
        receiptBatch(
          random,
          keys,
          stored,
          { payment: at, createdMs: FIRST_RECEIPT_MS + at * 1000 },
          1_000,
          0,
        ),
      );
    const tick = progress(`building the kept store: ${receipts} receipts`);
    for (let at = 0; at < receipts; at += 1_000) {
      await ledger.appendBatch(batch(at));
      tick(at + 1_000, receipts);
    }
  } finally {
    await ledger.close();
  }
}

/**
 * A copy of the kept store of `agents` and `receipts` (built first if missing, from `keys()`, the agents' keys: a
 * million take minutes to derive, so only a build asks for them), open, and how to dispose of it.
 */
export async function openBenchStore(
  agents: number,
  keys: () => readonly AgentKey[],
  receipts: number,
  random: SeededRandom,
): Promise<{ ledger: Ledger; built: boolean; dispose: () => Promise<void> }> {
  const kept = join(CACHE, `reputation-ledger-f${STORE_FORMAT}-v${FIXTURE_VERSION}-${agents}-${receipts}`);
  let built = false;
  if (!(await exists(kept))) {
    // Built aside and renamed when complete: an interrupted build is never taken for a kept store.
    const building = `${kept}.building`;
    await rm(building, { recursive: true, force: true });
    await mkdir(CACHE, { recursive: true });
    await build(building, keys(), receipts, random);
    await rename(building, kept);
    built = true;
  }
  const dir = await mkdtemp(join(tmpdir(), 'agora-bench-reputation-'));
  await cp(kept, dir, { recursive: true });
  const ledger = await openBenchLedger(dir);
  return {
    ledger,
    built,
    dispose: async () => {
      await ledger.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

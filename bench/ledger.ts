import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromHex } from '../src/core/index.js';
import {
  generateAgentKey,
  nativeSchnorr,
  nobleSchnorr,
  objectId,
  SchnorrPool,
  sharedSchnorrPool,
  wasmSchnorr,
} from '../src/identity/index.js';
import { forgetKnownSignatures, isKnownSignature } from '../src/identity/known-signatures.js';
import { agentRegisteredType, EventRegistry, Ledger, type LedgerEvent } from '../src/ledger/index.js';
import { receiptRatingType, receiptType } from '../src/receipts/index.js';
import { median, medianSeconds, report } from './report.js';
import { signedElsewhere } from './sign-events.js';

const BENCH = 'ledger';
const EVENTS = 20_000;
const BATCH = 1_000;
const RUNS = 3;
/** Receipts per ingest_receipts run (each run stores them twice: over the pool and on one thread). */
const RECEIPTS = 10_000;

/** Refuses events whose signatures this process knows valid: storing them would check none (see sign-events.ts). */
function assertUnknown(events: readonly LedgerEvent[]): void {
  for (const event of events)
    if (
      isKnownSignature(
        fromHex(event.sig as string),
        objectId(event as never),
        fromHex(event.author as string),
      )
    )
      throw new Error(`the bench's event ${objectId(event as never)} is signed by this process`);
}

async function withFreshLedger<T>(sync: boolean, task: (ledger: Ledger) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'agora-bench-'));
  const ledger = await Ledger.open(dir, { registry: new EventRegistry([agentRegisteredType]), sync });
  try {
    return await task(ledger);
  } finally {
    await ledger.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Receipts stored with fsync in batches of `BATCH`, signatures checked over the worker pool and on one thread,
 * runs alternating so that both see the same machine load; the ratio is taken in this run.
 */
async function ingestReceipts(): Promise<void> {
  const { registrations, receipts } = signedElsewhere('receipts', RECEIPTS);
  assertUnknown(receipts);
  const registry = () => new EventRegistry([agentRegisteredType, receiptType, receiptRatingType]);
  const single = new SchnorrPool(0);
  const times = new Map<SchnorrPool, number[]>([
    [sharedSchnorrPool(), []],
    [single, []],
  ]);
  for (let r = 0; r < RUNS; r++) {
    for (const [pool, seconds] of times) {
      const dir = await mkdtemp(join(tmpdir(), 'agora-bench-'));
      const ledger = await Ledger.open(dir, { registry: registry(), sync: true, pool });
      try {
        await ledger.appendBatch(registrations);
        // The run before verified these very signatures: forgotten, each run checks every one.
        forgetKnownSignatures();
        const start = performance.now();
        for (let i = 0; i < receipts.length; i += BATCH)
          await ledger.appendBatch(receipts.slice(i, i + BATCH));
        seconds.push((performance.now() - start) / 1000);
      } finally {
        await ledger.close();
        await rm(dir, { recursive: true, force: true });
      }
    }
  }
  const pooled = RECEIPTS / median(times.get(sharedSchnorrPool()) as number[]);
  const alone = RECEIPTS / median(times.get(single) as number[]);
  report({
    bench: BENCH,
    metric: 'ingest_receipts',
    value: pooled,
    unit: 'events/s',
    events: RECEIPTS,
    batch: BATCH,
    workers: sharedSchnorrPool().size,
    verifier: nativeSchnorr === undefined ? 'wasm' : 'native',
    baseline: alone,
    ratio_to_single_thread: Number((pooled / alone).toFixed(2)),
  });
}

export default async function run(): Promise<void> {
  await ingestReceipts();
  const events = signedElsewhere('registrations', EVENTS).registrations;
  assertUnknown(events);

  for (const sync of [true, false]) {
    const seconds = await medianSeconds(RUNS, () =>
      withFreshLedger(sync, async (ledger) => {
        forgetKnownSignatures();
        for (let i = 0; i < events.length; i += BATCH) await ledger.appendBatch(events.slice(i, i + BATCH));
      }),
    );
    report({
      bench: BENCH,
      metric: sync ? 'ingest_batch' : 'ingest_batch_nosync',
      value: EVENTS / seconds,
      unit: 'events/s',
      events: EVENTS,
      batch: BATCH,
    });
  }

  const singles = events.slice(0, 2_000);
  for (const sync of [true, false]) {
    const seconds = await medianSeconds(RUNS, () =>
      withFreshLedger(sync, async (ledger) => {
        forgetKnownSignatures();
        for (const event of singles) await ledger.append(event);
      }),
    );
    report({
      bench: BENCH,
      metric: sync ? 'ingest_single' : 'ingest_single_nosync',
      value: singles.length / seconds,
      unit: 'events/s',
      events: singles.length,
    });
  }

  await withFreshLedger(false, async (ledger) => {
    for (let i = 0; i < events.length; i += BATCH) await ledger.appendBatch(events.slice(i, i + BATCH));
    const seconds = await medianSeconds(RUNS, async () => {
      let count = 0;
      for await (const _ of ledger.events()) count++;
      if (count !== EVENTS) throw new Error(`iterated ${count} events`);
    });
    report({ bench: BENCH, metric: 'iterate', value: EVENTS / seconds, unit: 'events/s' });
  });

  // Signature verification alone, both backends on the same signatures.
  const checks = events.slice(0, 5_000).map((e) => ({
    sig: fromHex(e.sig as string),
    id: objectId(e as never),
    author: fromHex(e.author as string),
  }));
  const rate = async (backend: typeof wasmSchnorr, sample: typeof checks) => {
    const seconds = await medianSeconds(RUNS, () => {
      for (const c of sample) if (!backend.verify(c.sig, c.id, c.author)) throw new Error('bad signature');
    });
    return sample.length / seconds;
  };
  const wasm = await rate(wasmSchnorr, checks);
  const noble = await rate(nobleSchnorr, checks.slice(0, 1_000));
  report({ bench: BENCH, metric: 'verify_wasm', value: wasm, unit: 'signatures/s', baseline: noble });
  report({ bench: BENCH, metric: 'verify_wasm_vs_noble', value: wasm / noble, unit: 'ratio' });
  if (nativeSchnorr !== undefined) {
    const native = await rate(nativeSchnorr, checks);
    report({ bench: BENCH, metric: 'verify_native', value: native, unit: 'signatures/s', baseline: wasm });
  } else report({ bench: BENCH, metric: 'verify_native', value: 0, unit: 'signatures/s', note: 'not built' });

  const signRate = (backend: typeof wasmSchnorr, n: number) => {
    const key = generateAgentKey();
    const messages = checks.slice(0, n).map((c) => c.id);
    const start = performance.now();
    for (const message of messages) backend.sign(message, key.secretKey);
    return n / ((performance.now() - start) / 1000);
  };
  const signWasm = median([
    signRate(wasmSchnorr, 2000),
    signRate(wasmSchnorr, 2000),
    signRate(wasmSchnorr, 2000),
  ]);
  const signNoble = median([
    signRate(nobleSchnorr, 500),
    signRate(nobleSchnorr, 500),
    signRate(nobleSchnorr, 500),
  ]);
  report({ bench: BENCH, metric: 'sign_wasm', value: signWasm, unit: 'signatures/s', baseline: signNoble });
}

// Child process for crash.test.ts: appends large batches of test.anon events, announcing each acknowledged batch
// on stdout. After `armAfter` acknowledged batches it arms a timer that SIGKILLs its own process. A JavaScript
// timer can only fire while the event loop waits, that is while a store read or write is in flight, so the
// kill lands inside the ledger's I/O, the moment a non-atomic write would be caught half-done.
import { Ledger } from '../../src/ledger/index.js';
import { anonymous, testRegistry } from './fixtures.js';

const [dir, firstBatch, batchSize, armAfter, delayMs] = process.argv
  .slice(2)
  .map((a, i) => (i === 0 ? a : Number(a)));
const ledger = await Ledger.open(dir as string, { registry: testRegistry() });
let acknowledged = 0;
for (let batch = firstBatch as number; ; batch++) {
  const events = Array.from({ length: batchSize as number }, (_, i) => anonymous(batch, i));
  await ledger.appendBatch(events);
  process.stdout.write(`wrote ${batch}\n`);
  if (++acknowledged === armAfter) setTimeout(() => process.kill(process.pid, 'SIGKILL'), delayMs as number);
}

// Review of issue 20's newest change (218054e, 2e300af: `settleDisputeBonds` returns `{recorded, refused}` and carries
// on past a counted bond its custodian cannot settle; `agora dispute settle` prints the refused ones).
// Attack: the custodian's key has signed a rival `stake.locked` of a counted bond's payment, ground below the bond's
// id and listed after the dispute (its own equivocation: a second custodian process on the same key, a restored
// backup, or a compromised key). `agora dispute settle` then moves every other bond and prints
// `refused to release <lock>: ...` (or a `{"refused": ...}` line among the `--json` events) on stdout, and exits 0.
// A custodian settling from a scheduler (cron, a supervisor, a script testing `$?`) sees success every time while the
// winner's bond is never released (its hold runs to its CLTV expiry) and a loser's never settled: the refusal the
// change meant to say "not hidden" is hidden from everything but a human reading stdout. The project's own partial
// command, `agora ledger import`, stores what it can, names what it could not, and fails (`IMPORT_FAILED`).
// Impact: low. It needs the custodian key's equivocation; the bond reads `owed` (or `deviates`) to every replica
// anyway; but the operator's automation is told nothing is wrong.
// Fixed: after printing what was recorded (stdout keeps the recorded events' shape, with or without `--json`), a
// refused bond is the command's error: `INVALID_STATE`, one line on stderr naming the first refused bond and any
// others, exit 1.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadHomeKey, withHomeLedger } from '../../src/cli/home.js';
import { fromHex, ManualClock, toHex } from '../../src/core/index.js';
import { generateAgentKey, objectId } from '../../src/identity/index.js';
import type { LedgerEvent } from '../../src/ledger/index.js';
import {
  createStakeLocked,
  createStakeStatement,
  readStake,
  StakeCustodian,
  type StakeRecord,
} from '../../src/stake/index.js';
import { agora, type Outcome } from '../cli/harness.js';
import { bondedDispute, bondedNetwork } from '../disputes/bonded-dispute.js';
import { witnessAt } from '../fixtures/witness.js';
import { lndCertificate, startLndRestServer } from '../lightning/lnd-rest-server.js';

const MACAROON = '0201036c6e6402f801030a10'.padEnd(64, 'a');
const T0 = Math.floor(Date.now() / 1000) - 10 * 86_400;
const clock = new ManualClock(T0 * 1000);
const { custodianNode, payerNode, providerNode, jurors } = bondedNetwork(clock, 'cli-settle-refused-exit');
const idOf = (event: LedgerEvent) => toHex(objectId(event as never));

let dir: string;
let refusedLock: string;
let dispute: string;
let settled: Outcome;
const servers: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'agora-attack-settle-refused-'));
  await writeFile(join(dir, 'admin.macaroon'), fromHex(MACAROON));
  await writeFile(join(dir, 'tls.cert'), lndCertificate);
  const custodianHome = join(dir, 'custodian');
  expect((await agora(['init', '--home', custodianHome, '--network', 'regtest'])).code).toBe(0);
  const custodianKey = await loadHomeKey(custodianHome);
  // The network names the custodian as its one publication witness: a rival lock listed after the dispute then leaves
  // the bond counted (`bondStanding`), which is where `settleDisputeBonds` refuses it.
  await writeFile(
    join(custodianHome, 'network'),
    `${JSON.stringify({ chain: 'regtest', witnesses: [custodianKey.id] })}\n`,
  );
  const [payer, provider] = [generateAgentKey(), generateAgentKey()];
  await withHomeLedger(custodianHome, async (ledger) => {
    const custodian = await StakeCustodian.open({ key: custodianKey, backend: custodianNode, ledger, clock });
    const parties = {
      ledger,
      clock,
      custodian,
      custodianKey,
      payer: { key: payer, node: payerNode },
      provider: { key: provider, node: providerNode },
      jurors,
      witness: (blockTime: number) => witnessAt(ledger, custodianKey, blockTime),
    };
    const made = await bondedDispute(parties, T0);
    const { final, bonds } = made;
    dispute = made.dispute;
    // The bond with the higher id is the quicker to grind a rival below; either is counted and owed.
    const [lock, owner] = bonds.payer > bonds.provider ? [bonds.payer, payer] : [bonds.provider, provider];
    const held = (await readStake(ledger, lock)) as StakeRecord;
    const later = new ManualClock((final + 3_600) * 1000);
    let rival: LedgerEvent | undefined;
    for (let sequence = 1; rival === undefined && sequence < 20_000; sequence++) {
      const statement = createStakeStatement(owner, { ...held.statement, sequence }, { clock: later });
      const candidate = createStakeLocked(
        custodianKey,
        { statement, expiryHeight: held.expiryHeight },
        { clock: later },
      );
      if (idOf(candidate) < lock) rival = candidate;
    }
    if (rival === undefined) throw new Error('no rival lock ground below the bond');
    await ledger.append(rival);
    await witnessAt(ledger, custodianKey, final + 3_900);
    refusedLock = lock;
  });
  clock.set(Date.now());
  const started = await startLndRestServer(custodianNode, { macaroonHex: MACAROON });
  servers.push(started);
  settled = await agora([
    'dispute',
    'settle',
    dispute,
    '--home',
    custodianHome,
    '--lnd-url',
    started.url,
    '--lnd-macaroon',
    join(dir, 'admin.macaroon'),
    '--lnd-cert',
    join(dir, 'tls.cert'),
  ]);
}, 240_000);

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  await rm(dir, { recursive: true, force: true });
});

describe('agora dispute settle with a counted bond its custodian refuses', () => {
  it('moves the other bonds and names the refused one', () => {
    const lines = settled.stdout.trim().split('\n');
    // The other bond and the five absent jurors' penalties were carried out.
    expect(lines.filter((line) => /^(released|settled) /.test(line))).toHaveLength(6);
    expect(settled.stderr).toContain(refusedLock);
    expect(settled.stdout).not.toContain(refusedLock);
  });

  it('exits non-zero, so a scheduler or script sees that a bond was not moved', () => {
    expect(settled.code).not.toBe(0);
    expect(settled.stderr).toMatch(/^agora: could not (release|settle) [0-9a-f]{64}: /);
    expect(settled.stderr).not.toMatch(/\n\s+at /);
  });
});

// Review of issue 20: the juror draw's seed block. `blockAtHeight` (the rule `dispute.drawn` is checked with on
// ingest) asks only that the header stand at its height on some `anchor.headers` run verified from the checkpoint: a
// block of a lighter fork (a stale block, or one a miner mined off the best chain for the purpose) passes, and the
// panel was drawn from the lowest seed hash given. Whoever held such a block chose, by recording it or not, between
// two panels. Fixed on read, not on ingest (which chain is heaviest depends on the runs a replica holds, so a refusal
// on ingest would depend on arrival order): `disputeTimes` gives `readDispute` the settled block at each height on
// the heaviest verified chain (`seedBlocks`, the best-chain rule anchors count by, with the network's confirmations),
// and a draw naming another block is stored and refused.
import { sha256 } from '@noble/hashes/sha2.js';
import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import {
  anchorEventTypes,
  blockAtHeight,
  blockWork,
  type Checkpoint,
  createAnchorHeaders,
  parseBlockHeader,
} from '../../src/anchor/index.js';
import { checkNetworkConfig, toHex, utf8 } from '../../src/core/index.js';
import { disputeTimes } from '../../src/decisions.js';
import {
  createDisputeAnswered,
  createDisputeDrawn,
  type DisputeView,
  disputeEventTypes,
  drawFor,
  readDispute,
  roundTimes,
} from '../../src/disputes/index.js';
import { generateAgentKey } from '../../src/identity/index.js';
import { EventRegistry, Ledger, type LedgerEvent } from '../../src/ledger/index.js';
import { mineHeader } from '../anchor/regtest-chain.js';
import { at, buildWorld, disputeRegistry, idOf, T } from '../disputes/fixture.js';
import { usePanelVerifier } from '../fixtures/zk.js';

const root = (label: string) => toHex(sha256(utf8(label)));
const hashOf = (header: string) => parseBlockHeader(header).hash;

const verifier = usePanelVerifier();

// The seed height of the fixture's openings is 900,000: the checkpoint is the block below it. A draw's seed block
// settles at 2 confirmations here.
// The chain is mined after the opening was public (a seed block must be dated `seedBlockDelay` after that) and
// read before voting closes.
const CHAIN_START = T + 5 * 3_600;
const top = mineHeader('00'.repeat(32), root('checkpoint'), CHAIN_START);
const checkpoint: Checkpoint = { height: 899_999, hash: hashOf(top), header: top, chainWork: 1000n };
const network = { chain: 'regtest' as const, checkpoint };

/** A dispute ledger of a regtest network with a checkpoint, whose seed headers must be on its verified chain. */
async function checkpointedLedger(): Promise<Ledger> {
  const base = disputeRegistry(verifier());
  const registry = new EventRegistry(
    [
      ...base
        .types()
        .filter((type) => !type.startsWith('dispute.'))
        .map((type) => base.get(type)),
      ...disputeEventTypes({ blockRule: blockAtHeight(network), panelVerifier: verifier() }),
      ...anchorEventTypes(network),
    ],
    checkNetworkConfig({ chain: 'regtest', confirmations: 2 }),
  );
  return Ledger.fromLevel(new MemoryLevel(), { registry });
}

const importAll = (ledger: Ledger, events: readonly LedgerEvent[]) =>
  ledger.importLines(events.map((e) => JSON.stringify(e)));

describe('the seed block of a juror draw', () => {
  it('is the block on the heaviest verified chain, not a lighter fork block at the same height', async () => {
    // 16 jurors: 5 for the first round, 11 for an appeal's.
    const world = await buildWorld({ verifier: verifier(), jurorCount: 16 });
    const dispute = idOf(world.opened);
    const { answerBy } = world.openedBody;
    const answer = createDisputeAnswered(
      world.provider,
      { dispute, evidence: 'served 200 with the forecast', bond: idOf(world.bonds.provider) },
      { clock: at(world.opened.created + 100) },
    );
    // The best chain: three blocks on the checkpoint. A fork: one block at 900,000 on the same parent, whose hash
    // is lower than the best chain's block there (the old rule drew from it).
    const main: string[] = [];
    let previous = checkpoint.hash;
    for (let i = 1; i <= 3; i++) {
      const header = mineHeader(previous, root(`main ${i}`), CHAIN_START + 600 * i);
      main.push(header);
      previous = hashOf(header);
    }
    const seed = main[0] as string;
    let fork = mineHeader(checkpoint.hash, root('fork 0'), CHAIN_START + 600);
    for (let tag = 1; hashOf(fork) >= hashOf(seed); tag++)
      fork = mineHeader(checkpoint.hash, root(`fork ${tag}`), CHAIN_START + 600);
    const work = blockWork(0x207fffff);
    const recorder = generateAgentKey();
    const mainRun = createAnchorHeaders(recorder, {
      height: checkpoint.height,
      headers: [top, ...main],
      chainWork: (1000n + 3n * work).toString(),
    });
    const forkRun = createAnchorHeaders(recorder, {
      height: checkpoint.height,
      headers: [top, fork],
      chainWork: (1000n + work).toString(),
    });
    const opening = [...world.base, world.opened, answer];
    const scratch = await checkpointedLedger();
    await importAll(scratch, [...opening, mainRun, forkRun]);
    const draw = async (header: string, author = world.custodian, second = 1) =>
      createDisputeDrawn(
        author,
        { dispute, round: 0, appeal: null, header, panel: await drawFor(scratch, dispute, 0, header) },
        { clock: at(answerBy + second) },
      );
    // The fork's holder records its draw; an honest agent records the best chain's.
    const forkDraw = await draw(fork, world.payer, 1);
    const mainDraw = await draw(seed, world.custodian, 2);
    const mainPanel = await drawFor(scratch, dispute, 0, seed);
    await scratch.close();
    const now = CHAIN_START + 2 * 3_600;
    expect(now).toBeLessThan(roundTimes(answerBy, 0).votesClose);
    const read = async (ledger: Ledger) => readDispute(ledger, dispute, now, await disputeTimes(ledger, now));

    // A replica holding everything: the fork's draw is stored (it passed the block rule) and refused on read.
    const full = await checkpointedLedger();
    let both: DisputeView;
    try {
      await importAll(full, [...opening, forkRun, forkDraw, mainRun, mainDraw]);
      expect(await full.get(idOf(forkDraw))).toBeDefined();
      both = await read(full);
      expect(both.status).toBe('voting');
      expect(both.rounds[0]).toMatchObject({ blockHash: hashOf(seed), panel: mainPanel });
      expect(both.rounds[0]?.refusedDraws.map((r) => r.id)).toEqual([idOf(forkDraw)]);
      // An appeal's panel leaves out the jurors of the round every replica counts, not the fork's.
      const next = await drawFor(full, dispute, 1, seed, await disputeTimes(full, now));
      expect(next.filter((agent) => mainPanel.includes(agent))).toEqual([]);
    } finally {
      await full.close();
    }

    // A replica that saw only the fork and its draw first: the fork is all it knows, yet its block has 1
    // confirmation of the 2 asked, so the round waits. Once the heavier chain and its draw arrive, it reads what the
    // first replica reads, whatever the order.
    const late = await checkpointedLedger();
    try {
      await importAll(late, [...opening, forkRun, forkDraw]);
      expect((await read(late)).status).toBe('drawing');
      await importAll(late, [mainDraw, mainRun]);
      expect(await read(late)).toEqual(both);
    } finally {
      await late.close();
    }

    // Only the best chain known, the fork's draw not yet: the same round, the same panel.
    const honest = await checkpointedLedger();
    try {
      await importAll(honest, [...opening, mainRun, mainDraw]);
      expect((await read(honest)).rounds[0]).toMatchObject({ blockHash: hashOf(seed), panel: mainPanel });
    } finally {
      await honest.close();
    }
  }, 120_000);
});

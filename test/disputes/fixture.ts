// A small world for dispute tests: a payer, a provider with a node, a custodian, staked jurors, a receipt, bonds,
// an electorate checkpoint and regtest seed headers. Every event is signed at a chosen time so that every test (and
// the replica property) can replay it in any order.
import { MemoryLevel } from 'memory-level';
import { blockAtHeight } from '../../src/anchor/index.js';
import { doubleSha256, ManualClock, toHex, utf8 } from '../../src/core/index.js';
import {
  castJurorVote,
  createDisputeAnswered,
  createDisputeAttended,
  createDisputeDrawn,
  createDisputeOpened,
  type DisputeOpenedBody,
  type DisputeRound,
  disputeEventTypes,
  draftElectorate,
  drawFor,
  type JurorChoice,
  type JurorElectorate,
  panelTree,
  readDispute,
  revealJurorVote,
  roundTimes,
} from '../../src/disputes/index.js';
import { createSnapshotSources, delegationSetType, snapshotSourcesType } from '../../src/governance/index.js';
import { type AgentKey, generateAgentKey, objectId, zkIdentity } from '../../src/identity/index.js';
import { agentRegisteredType, EventRegistry, Ledger, type LedgerEvent } from '../../src/ledger/index.js';
import { SimNetwork } from '../../src/lightning/index.js';
import { receiptRatingType, receiptType } from '../../src/receipts/index.js';
import { createStakeLocked, createStakeStatement, stakeEventTypes } from '../../src/stake/index.js';
import type { PanelProver, Verifier } from '../../src/zk/index.js';
import { receiptAt, registrationAt } from '../fixtures/receipts.js';

export const T = 1_800_000_000;
export const at = (seconds: number) => new ManualClock(seconds * 1000);
export const idOf = (event: LedgerEvent) => toHex(objectId(event as never));

/**
 * A regtest header, its content chosen by `tag`, that meets regtest's proof of work (about two tries). Dated `time`,
 * by default a month after `T`: after every opening and appeal of the fixtures was public, as a seed block must be
 * (`DISPUTE_TERMS.seedBlockDelay`).
 */
export function regtestHeader(tag: number, time = T + 30 * 86_400 + tag): string {
  const bytes = new Uint8Array(80);
  const view = new DataView(bytes.buffer);
  view.setInt32(0, 0x20000000, true);
  bytes.fill(tag % 256, 4, 68);
  view.setUint32(68, time, true);
  view.setUint32(72, 0x207fffff, true);
  for (let nonce = 0; ; nonce++) {
    view.setUint32(76, nonce, true);
    // Regtest's target is just under 2^255: the hash's top bit (the last byte, as hashes show reversed) must be 0.
    const hash = doubleSha256(bytes);
    if (((hash[31] as number) & 0x80) === 0) return toHex(bytes);
  }
}

/**
 * The registry of the dispute tests; `verifier` checks juror proofs (a panel circuit verifier). It holds every kind
 * an electorate reads (delegations too).
 */
export function disputeRegistry(verifier: Verifier): EventRegistry {
  return new EventRegistry([
    agentRegisteredType,
    receiptType,
    receiptRatingType,
    snapshotSourcesType,
    delegationSetType,
    ...stakeEventTypes,
    ...disputeEventTypes({ blockRule: blockAtHeight('regtest'), panelVerifier: verifier }),
  ]);
}

export interface World {
  readonly payer: AgentKey;
  readonly provider: AgentKey;
  readonly custodian: AgentKey;
  readonly jurors: AgentKey[];
  /** Everything up to the opening: registrations, juror stakes, the receipt, bonds, the electorate checkpoint. */
  readonly base: LedgerEvent[];
  readonly receipt: LedgerEvent;
  /** Bond locks: the payer's, the provider's, the payer's and provider's appeal bonds, a non-custodial one. */
  readonly bonds: {
    payer: LedgerEvent;
    provider: LedgerEvent;
    payerAppeal: LedgerEvent;
    providerAppeal: LedgerEvent;
    nonCustodial: LedgerEvent;
  };
  readonly electorate: JurorElectorate;
  readonly electorateSources: LedgerEvent[];
  /** The payer's opening (claim: garbage served). */
  readonly opened: LedgerEvent;
  readonly openedBody: DisputeOpenedBody;
}

let hashes = 0;
const paymentHash = () => toHex(new Uint8Array(32).fill(++hashes % 256).map((b, i) => (i === 0 ? 7 : b)));

/** Builds the world with `jurorCount` staked jurors (weights 100, 200, ...), its events made from `t0` (default T) on. */
export async function buildWorld(options: {
  jurorCount?: number;
  verifier: Verifier;
  t0?: number;
}): Promise<World> {
  const t0 = options.t0 ?? T;
  const network = new SimNetwork({ seed: 'disputes' });
  const node = network.createNode('provider-node');
  const [payer, provider, custodian] = [generateAgentKey(), generateAgentKey(), generateAgentKey()];
  const jurors = Array.from({ length: options.jurorCount ?? 8 }, () => generateAgentKey());
  const registrations = [
    await registrationAt(payer, T),
    await registrationAt(provider, t0 + 1, [node.nodeKey]),
    await registrationAt(custodian, t0 + 2),
    ...(await Promise.all(jurors.map((juror, i) => registrationAt(juror, t0 + 3 + i)))),
  ];
  let sequence = 0;
  const lock = (
    staker: AgentKey,
    amountSat: number,
    created: number,
    mode: 'custodial' | 'non-custodial' = 'custodial',
  ) =>
    createStakeLocked(
      custodian,
      {
        statement: createStakeStatement(
          staker,
          {
            custodian: custodian.id,
            mode,
            paymentHash: paymentHash(),
            amountSat,
            until: t0 + 10_000_000,
            sequence: sequence++,
          },
          { clock: at(created) },
        ),
        expiryHeight: 10_000,
      },
      { clock: at(created) },
    );
  const stakes = jurors.map((juror, i) => lock(juror, 100 * (i + 1), t0 + 40));
  const receipt = await receiptAt(provider, node, payer, t0 + 20, 50_000);
  const bonds = {
    payer: lock(payer, 2_000, t0 + 60),
    provider: lock(provider, 2_000, t0 + 60),
    payerAppeal: lock(payer, 4_000, t0 + 60),
    providerAppeal: lock(provider, 4_000, t0 + 60),
    nonCustodial: lock(payer, 2_000, t0 + 60, 'non-custodial'),
  };
  const pre = [...registrations, ...stakes, receipt, ...Object.values(bonds)];
  const drafting = await Ledger.fromLevel(new MemoryLevel(), { registry: disputeRegistry(options.verifier) });
  await drafting.importLines(pre.map((e) => JSON.stringify(e)));
  const { ids, declared } = await draftElectorate(drafting, { mode: 'stake', asOf: t0 + 50 });
  await drafting.close();
  const electorateSources = createSnapshotSources(payer, ids, { clock: at(t0 + 90) });
  const electorate: JurorElectorate = { ...declared, sources: electorateSources.map(idOf) };
  const openedBody: DisputeOpenedBody = {
    receipt: idOf(receipt),
    claim: 'the forecast served was garbage',
    bond: idOf(bonds.payer),
    answerBy: t0 + 100 + 3_600,
    seedHeight: 900_000,
    jurors: electorate,
  };
  const opened = createDisputeOpened(payer, openedBody, { clock: at(t0 + 100) });
  return {
    payer,
    provider,
    custodian,
    jurors,
    base: [...pre, ...electorateSources],
    receipt,
    bonds,
    electorate,
    electorateSources,
    opened,
    openedBody,
  };
}

/**
 * A custodial stake of `staker` with the world's custodian, locked at `created` until long after every dispute; `tag`
 * makes its payment hash (and so its id) its own.
 */
export function custodialLock(
  world: World,
  staker: AgentKey,
  amountSat: number,
  created: number,
  tag: string,
): LedgerEvent {
  return lockBy(world.custodian, staker, {
    paymentHash: toHex(doubleSha256(utf8(`custodial lock ${tag}`))),
    amountSat,
    created,
    sequence: 5_000,
  });
}

/**
 * A custodial lock of `staker`'s stake signed by `holder` as its custodian (any key: the network decides whether it
 * counts), locked at `created` until long after every dispute.
 */
export function lockBy(
  holder: AgentKey,
  staker: AgentKey,
  lock: { paymentHash: string; amountSat: number; created: number; sequence: number },
): LedgerEvent {
  return createStakeLocked(
    holder,
    {
      statement: createStakeStatement(
        staker,
        {
          custodian: holder.id,
          mode: 'custodial',
          paymentHash: lock.paymentHash,
          amountSat: lock.amountSat,
          until: T + 10_000_000,
          sequence: lock.sequence,
        },
        { clock: at(lock.created) },
      ),
      expiryHeight: 10_000,
    },
    { clock: at(lock.created) },
  );
}

/** A fresh in-memory ledger holding `events` (imported in any order; waiting ones retried). */
export async function ledgerWith(verifier: Verifier, events: readonly LedgerEvent[]): Promise<Ledger> {
  const ledger = await Ledger.fromLevel(new MemoryLevel(), { registry: disputeRegistry(verifier) });
  await ledger.importLines(events.map((e) => JSON.stringify(e)));
  return ledger;
}

/**
 * A whole dispute after the opening, as events: the answer, the draw from regtest header `tag`, one sealed vote per
 * choice (panel seats in order) and their reveals, plus (unless `extras` is false) a second vote by the first juror
 * and a draw listing a manipulated panel; each voting juror's `dispute.attended` unless `attend` is false. Built on a scratch ledger holding `world`'s events.
 */
export async function disputeFlow(
  world: World,
  prover: PanelProver,
  verifier: Verifier,
  choices: readonly JurorChoice[],
  tag = 1,
  options: { extras?: boolean; attend?: boolean } = {},
): Promise<LedgerEvent[]> {
  const dispute = idOf(world.opened);
  const answerBy = world.openedBody.answerBy;
  const times = roundTimes(answerBy, 0);
  const answer = createDisputeAnswered(
    world.provider,
    { dispute, evidence: 'served 200 with the forecast', bond: idOf(world.bonds.provider) },
    { clock: at(world.opened.created + 100) },
  );
  const scratch = await ledgerWith(verifier, [...world.base, world.opened, answer]);
  const header = regtestHeader(tag);
  const panel = await drawFor(scratch, dispute, 0, header);
  const drawn = createDisputeDrawn(
    world.custodian,
    { dispute, round: 0, appeal: null, header, panel },
    { clock: at(answerBy + 1) },
  );
  await scratch.append(drawn);
  const view = await readDispute(scratch, dispute, times.votesOpen);
  await scratch.close();
  const tree = await panelTree(view, 0);
  const round = view.rounds[0] as DisputeRound;
  const vote = async (seat: number, choice: JurorChoice) =>
    castJurorVote(prover, {
      dispute,
      round: 0,
      panelRoot: round.panelRoot as bigint,
      path: tree.path(seat),
      secret: (await zkIdentity(world.jurors.find((j) => j.id === panel[seat]) as AgentKey)).secret,
      choice,
      payoutKey: generateAgentKey(),
      clock: at(times.votesOpen + 10 + seat),
    });
  const sealed = [];
  for (const [seat, choice] of choices.entries()) sealed.push(await vote(seat, choice));
  const reveals = sealed.map((s) => revealJurorVote(s, { clock: at(times.votesClose + 5) }));
  // Each juror that voted attests it in its own name, at another time than its vote.
  const attended = choices.map((_, seat) =>
    createDisputeAttended(
      world.jurors.find((j) => j.id === panel[seat]) as AgentKey,
      { dispute, round: 0 },
      { clock: at(times.votesClose + 20 + seat) },
    ),
  );
  const votes = [...sealed.map((s) => s.event), ...(options.attend === false ? [] : attended)];
  if (options.extras === false) return [answer, drawn, ...votes, ...reveals];
  const again = await vote(0, choices[0] === 'upheld' ? 'rejected' : 'upheld');
  const forged = createDisputeDrawn(
    world.payer,
    { dispute, round: 0, appeal: null, header, panel: [...panel.slice(1), panel[0] as string] },
    { clock: at(answerBy + 2) },
  );
  return [answer, drawn, forged, ...votes, again.event, ...reveals];
}

// A dispute whose bonds and juror stakes are real hold invoices with one custodian on a simulated Lightning network:
// the receipt, six staked jurors, both bonds, the electorate, the opening, the answer and the round's draw, from
// `t0` on. Nobody votes: once final (`final`), the claim is unproved and the provider wins.
import { ManualClock, toHex } from '../../src/core/index.js';
import {
  createDisputeAnswered,
  createDisputeDrawn,
  createDisputeOpened,
  disputeHorizon,
  draftElectorate,
  drawFor,
  roundTimes,
} from '../../src/disputes/index.js';
import { createSnapshotSources } from '../../src/governance/index.js';
import { type AgentKey, generateAgentKey, objectId } from '../../src/identity/index.js';
import type { Ledger, LedgerEvent } from '../../src/ledger/index.js';
import { SimNetwork, type SimNode } from '../../src/lightning/index.js';
import { lockStake, type StakeCustodian } from '../../src/stake/index.js';
import { receiptAt, registrationAt } from '../fixtures/receipts.js';
import { regtestHeader } from './fixture.js';

const idOf = (event: LedgerEvent) => toHex(objectId(event as never));

/** Who takes part, with their nodes; `custodian` holds every stake in `ledger`. */
export interface BondedParties {
  readonly ledger: Ledger;
  readonly clock: ManualClock;
  readonly custodian: StakeCustodian;
  readonly custodianKey: AgentKey;
  readonly payer: { readonly key: AgentKey; readonly node: SimNode };
  readonly provider: { readonly key: AgentKey; readonly node: SimNode };
  readonly jurors: readonly { readonly key: AgentKey; readonly node: SimNode }[];
  /**
   * On a network with publication witnesses: lists everything new by a block of the time given (the opening and
   * answer before the answer deadline, the draw after voting closed).
   */
  readonly witness?: (blockTime: number) => Promise<void>;
}

/** The dispute made, its bonds' lock ids and the moments that matter. */
export interface BondedDispute {
  readonly dispute: string;
  readonly answerBy: number;
  readonly final: number;
  readonly bonds: { readonly payer: string; readonly provider: string };
}

/** Builds the dispute in `parties.ledger`, its events dated from `t0` (the clock is left at `final`). */
export async function bondedDispute(parties: BondedParties, t0: number): Promise<BondedDispute> {
  const { ledger, clock, custodian, custodianKey, payer, provider, jurors } = parties;
  const lock = async (who: { key: AgentKey; node: SimNode }, amountSat: number, until: number) =>
    idOf(
      (
        await lockStake({
          key: who.key,
          backend: who.node,
          custodian,
          amountSat,
          until,
          sequence: 0,
          mode: 'custodial',
          clock,
        })
      ).lock,
    );
  await ledger.appendBatch([
    await registrationAt(payer.key, t0),
    await registrationAt(provider.key, t0, [provider.node.nodeKey]),
    await registrationAt(custodianKey, t0),
    ...(await Promise.all(jurors.map(({ key }) => registrationAt(key, t0)))),
  ]);
  const receipt = await receiptAt(provider.key, provider.node, payer.key, t0 + 10, 50_000);
  await ledger.append(receipt);
  clock.set((t0 + 100) * 1000);
  for (const juror of jurors) await lock(juror, 10_000, t0 + 13 * 86_400);
  clock.set((t0 + 200) * 1000);
  const answerBy = t0 + 200 + 3_600;
  const horizon = disputeHorizon(answerBy);
  const bonds = { payer: await lock(payer, 2_000, horizon), provider: await lock(provider, 2_000, horizon) };
  const { ids, declared } = await draftElectorate(ledger, { mode: 'stake', asOf: t0 + 150 });
  const sources = createSnapshotSources(payer.key, ids, { clock });
  await ledger.appendBatch(sources);
  const opened = createDisputeOpened(
    payer.key,
    {
      receipt: idOf(receipt),
      claim: 'garbage served',
      bond: bonds.payer,
      answerBy,
      seedHeight: 900_000,
      jurors: { ...declared, sources: sources.map(idOf) },
    },
    { clock },
  );
  const dispute = (await ledger.append(opened)).id;
  await ledger.append(
    createDisputeAnswered(
      provider.key,
      { dispute, evidence: 'served as paid', bond: bonds.provider },
      { clock },
    ),
  );
  await parties.witness?.(answerBy - 600);
  const header = regtestHeader(11, t0 + 30 * 86_400);
  const panel = await drawFor(ledger, dispute, 0, header);
  await ledger.append(
    createDisputeDrawn(
      custodianKey,
      { dispute, round: 0, appeal: null, header, panel },
      { clock: new ManualClock((answerBy + 1) * 1000) },
    ),
  );
  await parties.witness?.(roundTimes(answerBy, 0).votesClose + 600);
  const final = roundTimes(answerBy, 0).appealsClose;
  clock.set(final * 1000);
  return { dispute, answerBy, final, bonds };
}

/** The Lightning nodes of a bonded dispute, each with a channel to one hub: custodian, payer, provider, six jurors. */
export function bondedNetwork(clock: ManualClock, seed: string) {
  const network = new SimNetwork({ clock, seed });
  const hub = network.createNode('hub');
  const node = (name: string) => {
    const created = network.createNode(name);
    network.openChannel(hub, created, { capacitySat: 1_000_000, pushSat: 500_000 });
    return created;
  };
  return {
    network,
    custodianNode: node('custodian'),
    payerNode: node('payer'),
    providerNode: node('provider'),
    jurors: Array.from({ length: 6 }, (_, i) => ({ key: generateAgentKey(), node: node(`juror-${i}`) })),
  };
}

import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import { ErrorCode, ManualClock } from '../../src/core/index.js';
import { createDelegation, delegationSetType, snapshotFromLedger } from '../../src/governance/index.js';
import { generateAgentKey, zkIdentity } from '../../src/identity/index.js';
import {
  agentRegisteredType,
  createAgentRegistration,
  EventRegistry,
  Ledger,
} from '../../src/ledger/index.js';
import { Reputation } from '../../src/reputation/index.js';
import { createStakeLocked, createStakeStatement, stakeEventTypes } from '../../src/stake/index.js';
import { rejectedAgoraError } from '../helpers.js';

const at = (seconds: number) => new ManualClock(seconds * 1000);

describe('snapshot from the ledger', () => {
  it('counts only events up to the snapshot time: registrations, delegations, reputation', async () => {
    const ledger = await Ledger.fromLevel(new MemoryLevel(), {
      registry: new EventRegistry([agentRegisteredType, delegationSetType, ...stakeEventTypes]),
    });
    try {
      const [a, b, c, late] = [
        generateAgentKey(),
        generateAgentKey(),
        generateAgentKey(),
        generateAgentKey(),
      ];
      await ledger.appendBatch([
        await createAgentRegistration(a, { clock: at(100) }),
        await createAgentRegistration(b, { clock: at(110) }),
        await createAgentRegistration(c, { clock: at(120) }),
        await createAgentRegistration(late, { clock: at(1_001) }),
        createDelegation(a, b.id, { clock: at(500) }),
        // After the snapshot: neither the revocation nor c's delegation counts.
        createDelegation(a, null, { clock: at(1_500) }),
        createDelegation(c, b.id, { clock: at(1_500) }),
      ]);
      const equal = await snapshotFromLedger(ledger, { mode: 'equal', asOf: 1_000 });
      const zk = new Map(
        await Promise.all([b, c].map(async (k) => [k.id, (await zkIdentity(k)).commitment] as const)),
      );
      expect(equal.members.map((m) => [m.agent, m.weight])).toEqual(
        [
          [b.id, 2n],
          [c.id, 1n],
        ].sort((x, y) => ((x[0] as string) < (y[0] as string) ? -1 : 1)),
      );
      for (const member of equal.members) expect(member.commitment).toBe(zk.get(member.agent));

      const reputation = await snapshotFromLedger(ledger, { mode: 'reputation', asOf: 1_000 });
      const scores = await Reputation.fromLedger(ledger, { asOf: 1_000 });
      const expected = BigInt(scores.score(a.id)) + BigInt(scores.score(b.id));
      expect(reputation.members.find((m) => m.agent === b.id)?.weight).toBe(expected);
      expect(reputation.members.some((m) => m.agent === late.id)).toBe(false);

      const later = await snapshotFromLedger(ledger, { mode: 'equal', asOf: 2_000 });
      expect(later.members.map((m) => m.weight).sort()).toEqual([1n, 1n, 2n]);
      expect(later.root).not.toBe(equal.root);

      // Stakes: a's 10,000 sat (locked through 5,000) goes to b by delegation; b's own 40,000 sat ends at 1,200.
      const custodian = generateAgentKey();
      const stake = (key: typeof a, amountSat: number, until: number, sequence: number) => {
        const statement = createStakeStatement(key, {
          custodian: custodian.id,
          mode: 'non-custodial',
          paymentHash: sequence.toString(16).padStart(64, '0'),
          amountSat,
          until,
          sequence,
        });
        return createStakeLocked(custodian, { statement, expiryHeight: 1_000 }, { clock: at(900) });
      };
      await ledger.appendBatch([stake(a, 10_000, 5_000, 1), stake(b, 40_000, 1_200, 2)]);
      const weights = async (mode: 'stake' | 'quadratic', lockedThrough?: number) =>
        (
          await snapshotFromLedger(ledger, {
            mode,
            asOf: 1_000,
            ...(lockedThrough === undefined ? {} : { lockedThrough }),
          })
        ).members.map((m) => [m.agent, m.weight]);
      expect(await weights('stake')).toEqual([[b.id, 50_000n]]);
      expect(await weights('quadratic')).toEqual([[b.id, 300n]]);
      // Through a vote closing at 2,000 only a's stake is locked.
      expect(await weights('stake', 2_000)).toEqual([[b.id, 10_000n]]);
      expect(await weights('quadratic', 2_000)).toEqual([[b.id, 100n]]);
    } finally {
      await ledger.close();
    }
  });

  it('refuses a malformed delegation body', async () => {
    const ledger = await Ledger.fromLevel(new MemoryLevel(), {
      registry: new EventRegistry([agentRegisteredType, delegationSetType]),
    });
    try {
      const { signObject } = await import('../../src/identity/index.js');
      const key = generateAgentKey();
      const bad = signObject(key, { v: 1, type: 'delegation.set', created: 1, body: { to: 'bob' } });
      await rejectedAgoraError(ledger.append(bad), ErrorCode.InvalidEvent);
    } finally {
      await ledger.close();
    }
  });

  it('refuses a weight mode it does not know, instead of weighing by stake', async () => {
    const ledger = await Ledger.fromLevel(new MemoryLevel(), {
      registry: new EventRegistry([agentRegisteredType, delegationSetType, ...stakeEventTypes]),
    });
    try {
      await ledger.append(await createAgentRegistration(generateAgentKey(), { clock: at(100) }));
      // With no agent registered at all a silent fallback would return an empty snapshot: refused as well.
      for (const [mode, asOf] of [
        ['stakes', 1_000],
        ['', 1_000],
        ['reputation ', 1_000],
        ['stakes', 50],
      ] as const) {
        const error = await rejectedAgoraError(
          snapshotFromLedger(ledger, { mode: mode as never, asOf }),
          ErrorCode.InvalidArgument,
        );
        expect(error.message).toContain(`unknown weight mode ${JSON.stringify(mode)}`);
      }
    } finally {
      await ledger.close();
    }
  });
});

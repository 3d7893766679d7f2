import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import { computeSnapshot, MAX_WEIGHT } from '../../src/governance/index.js';
import { isqrt } from '../../src/governance/snapshot.js';
import { MembershipTree } from '../../src/zk/index.js';
import { rejectedAgoraError, thrownAgoraError } from '../helpers.js';

const id = (n: number) => n.toString(16).padStart(64, '0');
const commitments = new Map([1, 2, 3, 4, 5].map((n) => [id(n), BigInt(1000 + n)]));

describe('isqrt', () => {
  it('is the floor of the square root, up to 2^64 and beyond', () => {
    for (const [value, root] of [
      [0n, 0n],
      [1n, 1n],
      [3n, 1n],
      [4n, 2n],
      [99n, 9n],
      [100n, 10n],
      [10n ** 18n, 10n ** 9n],
      [MAX_WEIGHT, (1n << 32n) - 1n],
      [(1n << 200n) + 1n, 1n << 100n],
    ] as const)
      expect(isqrt(value)).toBe(root);
    for (let v = 0n; v < 2000n; v++) {
      const r = isqrt(v);
      expect(r * r <= v && (r + 1n) * (r + 1n) > v).toBe(true);
    }
    thrownAgoraError(() => isqrt(-1n), ErrorCode.InvalidArgument);
  });
});

describe('weight snapshot', () => {
  const base = new Map([
    [id(3), 900n],
    [id(1), 100n],
    [id(2), 50n],
    [id(4), 16n],
  ]);

  it('orders leaves by agent id and builds the tree the circuit checks', async () => {
    const snapshot = await computeSnapshot({ mode: 'stake', base, commitments, delegations: [], asOf: 0 });
    expect(snapshot.members.map((m) => [m.agent, m.weight])).toEqual([
      [id(1), 100n],
      [id(2), 50n],
      [id(3), 900n],
      [id(4), 16n],
    ]);
    expect(snapshot.total).toBe(1066n);
    expect(snapshot.root).toBe((await MembershipTree.build(snapshot.members)).root);
  });

  it('applies each weight mode and the eligibility minimum', async () => {
    const weights = async (mode: 'equal' | 'quadratic' | 'reputation', minWeight?: bigint) =>
      (await computeSnapshot({ mode, base, commitments, delegations: [], asOf: 0, minWeight })).members.map(
        (m) => m.weight,
      );
    expect(await weights('equal')).toEqual([1n, 1n, 1n, 1n]);
    expect(await weights('quadratic')).toEqual([10n, 7n, 30n, 4n]);
    expect(await weights('reputation', 60n)).toEqual([100n, 900n]);
  });

  it('gives a delegate the sum, passes weight through an ineligible agent, and reports lost weight', async () => {
    const delegations = [
      { id: id(100), from: id(1), to: id(2), created: 10 },
      { id: id(101), from: id(2), to: id(3), created: 11 },
      { id: id(102), from: id(4), to: id(9), created: 12 },
      { id: id(103), from: id(3), to: id(1), created: 13 },
    ];
    const snapshot = await computeSnapshot({
      mode: 'stake',
      base,
      commitments,
      delegations,
      asOf: 100,
      minWeight: 60n,
    });
    // id(2) (50) is below the minimum: it brings nothing, but id(1)'s 100 passes through it to id(3).
    expect(snapshot.members.map((m) => [m.agent, m.weight])).toEqual([[id(3), 1000n]]);
    expect(snapshot.cycles.map((d) => d.id)).toEqual([id(103)]);
    // id(4) (16) is below the minimum too; nothing reaches id(9), which has no commitment anyway.
    expect(snapshot.withoutCommitment).toEqual([]);
    const lost = await computeSnapshot({ mode: 'stake', base, commitments, delegations, asOf: 100 });
    expect(lost.withoutCommitment).toEqual([id(9)]);
    expect(lost.total).toBe(1050n);
  });

  it('refuses weights the circuit cannot carry', async () => {
    await rejectedAgoraError(
      computeSnapshot({
        mode: 'stake',
        base: new Map([
          [id(1), MAX_WEIGHT],
          [id(2), 1n],
        ]),
        commitments,
        delegations: [{ id: id(7), from: id(2), to: id(1), created: 0 }],
        asOf: 0,
      }),
      ErrorCode.InvalidArgument,
    );
  });
});

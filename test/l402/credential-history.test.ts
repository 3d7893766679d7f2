import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgoraError, ErrorCode, isAgoraError } from '../../src/core/index.js';
import { type AgentStateStore, fileAgentState, memoryAgentState } from '../../src/identity/index.js';
import {
  CREDENTIAL_LINK_EPOCHS,
  CredentialHistory,
  type CredentialHistoryState,
  formatCredentialHistory,
  MAX_UNPAID_NODES_PER_ORIGIN,
  parseCredentialHistory,
} from '../../src/l402/index.js';

let home: string;
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'agora-history-'));
});
afterAll(() => rm(home, { recursive: true, force: true }));

const members = (...ids: string[]) => new Set(ids);

const stateArbitrary: fc.Arbitrary<CredentialHistoryState> = fc
  .record({
    shown: fc.array(
      fc.tuple(
        fc.string({ minLength: 1 }),
        fc.record({
          epoch: fc.nat({ max: 1_000_000 }),
          roots: fc.uniqueArray(fc.bigInt({ min: 0n, max: (1n << 254n) - 1n }), {
            minLength: 1,
            maxLength: 4,
          }),
          among: fc.uniqueArray(fc.string(), { maxLength: 5 }),
        }),
      ),
      { maxLength: 4 },
    ),
    refused: fc.array(
      fc.tuple(
        fc.string({ minLength: 1 }),
        fc.record({
          epoch: fc.nat({ max: 1_000_000 }),
          excluded: fc.uniqueArray(fc.string(), { maxLength: 5 }),
          among: fc.option(fc.uniqueArray(fc.string(), { maxLength: 5 }), { nil: undefined }),
          roots: fc.uniqueArray(fc.bigInt({ min: 0n, max: (1n << 254n) - 1n }), { maxLength: 3 }),
        }),
      ),
      { maxLength: 4 },
    ),
    marks: fc.array(fc.tuple(fc.string(), fc.constantFrom('named' as const, 'anonymous' as const)), {
      maxLength: 6,
    }),
    epochs: fc.array(fc.tuple(fc.string(), fc.nat({ max: 1_000_000 })), { maxLength: 4 }),
    origins: fc.array(
      fc.tuple(
        fc.string(),
        fc.array(
          fc.tuple(fc.string(), fc.record({ epoch: fc.nat({ max: 1_000_000 }), paid: fc.boolean() })),
          {
            minLength: 1,
            maxLength: 3,
          },
        ),
      ),
      { maxLength: 3 },
    ),
    proofs: fc.array(
      fc.record({
        epoch: fc.nat({ max: 1_000_000 }),
        scopes: fc.uniqueArray(fc.string(), { minLength: 1, maxLength: 3 }),
        root: fc.bigInt({ min: 0n, max: (1n << 254n) - 1n }),
        level: fc.nat({ max: 30 }),
      }),
      { maxLength: 4 },
    ),
    links: fc.array(
      fc.record({
        epoch: fc.nat({ max: 1_000_000 }),
        scopes: fc.uniqueArray(fc.string(), { minLength: 2, maxLength: 3 }),
      }),
      { maxLength: 4 },
    ),
  })
  .map(({ shown, refused, marks, epochs, origins, proofs, links }) => ({
    shown: new Map(
      shown.map(([provider, entry]) => [
        `${provider} ${entry.epoch}`,
        { epoch: entry.epoch, roots: new Set(entry.roots), among: new Set(entry.among) },
      ]),
    ),
    refused: new Map(
      refused.map(([provider, entry]) => [
        `${provider} ${entry.epoch}`,
        {
          epoch: entry.epoch,
          excluded: new Set(entry.excluded),
          ...(entry.among === undefined ? {} : { among: new Set(entry.among) }),
          ...(entry.roots.length === 0 ? {} : { roots: new Set(entry.roots) }),
        },
      ]),
    ),
    marks: new Map(marks),
    epochs: new Map(epochs),
    origins: new Map(origins.map(([origin, nodes]) => [origin, new Map(nodes)])),
    proofs: new Map(
      proofs.map((proof) => {
        const sorted = { ...proof, scopes: [...proof.scopes].sort() };
        return [JSON.stringify([sorted.epoch, String(sorted.root), sorted.level, sorted.scopes]), sorted];
      }),
    ),
    links: new Map(
      links.map((link) => {
        const sorted = { ...link, scopes: [...link.scopes].sort() };
        return [JSON.stringify([sorted.epoch, sorted.scopes]), sorted];
      }),
    ),
  }));

/**
 * How many labels apart two entries stop counting together: the window (CREDENTIAL_LINK_EPOCHS - 1 either side) and
 * one label more at each end, since the provider picks the label at either edge (the edge-relabel fix).
 */
const REACH = CREDENTIAL_LINK_EPOCHS + 2;

describe('credential history documents', () => {
  it('reads back what it writes', () => {
    fc.assert(
      fc.property(stateArbitrary, (state) => {
        expect(parseCredentialHistory(formatCredentialHistory(state))).toEqual(state);
      }),
    );
  });

  it('refuses anything else with INVALID_JSON, never another exception', () => {
    const valid = formatCredentialHistory({
      shown: new Map([['02aa 5', { epoch: 5, roots: new Set([1n]), among: members('a', 'b') }]]),
      refused: new Map([['02aa 5', { epoch: 5, excluded: members('c'), among: members('a') }]]),
      marks: new Map(),
      epochs: new Map(),
      origins: new Map([['https://a.test', new Map([['02aa', { epoch: 5, paid: false }]])]]),
      proofs: new Map(),
      links: new Map([
        ['[5,["02aa","origin:https://a.test"]]', { epoch: 5, scopes: ['02aa', 'origin:https://a.test'] }],
      ]),
    });
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          // A valid document with one character changed.
          fc
            .tuple(fc.nat({ max: valid.length - 1 }), fc.string({ minLength: 1, maxLength: 1 }))
            .map(([at, c]) => valid.slice(0, at) + c + valid.slice(at + 1)),
        ),
        (text) => {
          try {
            parseCredentialHistory(text);
          } catch (error) {
            expect(isAgoraError(error, ErrorCode.InvalidJson)).toBe(true);
          }
        },
      ),
    );
  });

  it('refuses a tampered document rather than reading it as empty', () => {
    const document = (changes: Record<string, unknown>) =>
      JSON.stringify({
        kind: 'agora402/credential-history',
        v: 1,
        shown: [],
        named: [],
        anonymous: [],
        ...changes,
      });
    const entry = { scope: 's', epoch: 1, roots: ['12'], among: ['a'] };
    for (const text of [
      document({ kind: 'agora402/agent-key' }),
      document({ v: 9, members: [], origins: [] }),
      document({ v: 3, members: [] }),
      // A shown entry's levels: v5 only, a non-empty list of {root, level}, each root one of the entry's.
      ...[
        [4, [{ root: '12', level: 15 }]],
        [5, []],
        [5, [{ root: '13', level: 15 }]],
        [5, [{ root: '12', level: -1 }]],
        [5, [{ root: '12', level: 1.5 }]],
        [5, [{ root: 12, level: 15 }]],
        [5, { root: '12', level: 15 }],
      ].map(([v, levels]) =>
        document({ v, members: ['a'], origins: [], shown: [{ ...entry, among: 'AQ==', levels }] }),
      ),
      // A proof shown: v6 and later, non-empty distinct scopes, an epoch, a decimal root and a level.
      ...[
        [5, [{ scopes: ['n'], epoch: 1, root: '12', level: 15 }]],
        [6, { scopes: ['n'], epoch: 1, root: '12', level: 15 }],
        [6, [{ scopes: [], epoch: 1, root: '12', level: 15 }]],
        [6, [{ scopes: ['n', 'n'], epoch: 1, root: '12', level: 15 }]],
        [6, [{ scopes: 'n', epoch: 1, root: '12', level: 15 }]],
        [6, [{ scopes: ['n'], epoch: -1, root: '12', level: 15 }]],
        [6, [{ scopes: ['n'], epoch: 1, root: 12, level: 15 }]],
        [6, [{ scopes: ['n'], epoch: 1, root: '12', level: 1.5 }]],
        [6, [{ scopes: ['n'], epoch: 1, root: '12' }]],
      ].map(([v, proofs]) => document({ v, members: [], origins: [], proofs })),
      // Scopes reserved together: v7 and later only, two or more distinct scopes and an epoch.
      ...[
        [6, [{ scopes: ['n', 'o'], epoch: 1 }]],
        [7, { scopes: ['n', 'o'], epoch: 1 }],
        [7, [{ scopes: ['n'], epoch: 1 }]],
        [7, [{ scopes: ['n', 'n'], epoch: 1 }]],
        [7, [{ scopes: 'no', epoch: 1 }]],
        [7, [{ scopes: ['n', 'o'], epoch: -1 }]],
        [7, [{ scopes: ['n', 'o'] }]],
        [8, [{ scopes: ['n'], epoch: 1 }]],
        [8, [{ scopes: ['n', 'o', 'n'], epoch: 1 }]],
      ].map(([v, links]) => document({ v, members: [], origins: [], links })),
      document({ v: 4, members: [] }),
      // A refused entry's `among` (the members its window left in common) is v4's: a bitmap over `members`.
      document({
        v: 4,
        members: ['a'],
        origins: [],
        refused: [{ provider: '02aa', epoch: 1, excluded: 'AA==', among: 'Ag==' }],
      }),
      document({
        v: 4,
        members: ['a'],
        origins: [],
        refused: [{ provider: '02aa', epoch: 1, excluded: 'AA==', among: ['a'] }],
      }),
      document({
        v: 3,
        members: ['a'],
        origins: [],
        refused: [{ provider: '02aa', epoch: 1, excluded: 'AA==', among: 'AQ==' }],
      }),
      // A refused entry's roots: v4 only, a non-empty list of decimals.
      ...[[], ['0x12'], '1', [1]].map((roots) =>
        document({
          v: 4,
          members: ['a'],
          origins: [],
          refused: [{ provider: '02aa', epoch: 1, excluded: 'AA==', among: 'AQ==', roots }],
        }),
      ),
      document({
        v: 3,
        members: ['a'],
        origins: [],
        refused: [{ provider: '02aa', epoch: 1, excluded: 'AA==', roots: ['1'] }],
      }),
      // v2: each set a bitmap over `members`, written once.
      document({ v: 2, members: ['a'], origins: [], shown: [{ ...entry, among: ['a'] }] }),
      document({ v: 2, members: ['a'], origins: [], shown: [{ ...entry, among: 'Ag==' }] }),
      document({ v: 2, members: ['a'], origins: [], shown: [{ ...entry, among: 'AQE=' }] }),
      document({ v: 2, members: ['a', 'a'], origins: [] }),
      document({ v: 2, members: ['a'] }),
      document({ v: 2, members: [], origins: [{ origin: 'o', node: 'n', epoch: 1 }] }),
      document({ v: 1, origins: [] }),
      document({ named: undefined }),
      document({ shown: [{ ...entry, roots: [] }] }),
      document({ shown: [{ ...entry, roots: ['0x12'] }] }),
      document({ shown: [{ ...entry, epoch: -1 }] }),
      document({ shown: [{ ...entry, among: 'a' }] }),
      document({ named: ['node:02aa'], anonymous: ['node:02aa'] }),
      document({ epochs: {} }),
      document({ epochs: [{ provider: '02aa', epoch: -1 }] }),
      document({ epochs: [{ provider: 2, epoch: 1 }] }),
      document({ refused: {} }),
      document({ refused: [{ provider: '02aa', epoch: 1, excluded: 'a' }] }),
      document({ refused: [{ provider: '02aa', epoch: 1.5, excluded: [] }] }),
      '{"kind":"agora402/credential-history","v":1,"shown":[',
    ])
      expect(() => parseCredentialHistory(text)).toThrow(
        expect.objectContaining({ code: ErrorCode.InvalidJson }),
      );
  });
});

describe('CredentialHistory', () => {
  const pick = (root: bigint, among: ReadonlySet<string>) => () => ({ root, among });

  it('keeps what was reserved and marked across a reopening of its file', async () => {
    const path = join(home, 'reopened.json');
    const history = await CredentialHistory.open(fileAgentState(path));
    await history.reserve('node', 5, pick(7n, members('a', 'b')));
    await history.claimAnonymous(['origin:http://a.test', 'node:02aa']);
    expect(await history.claimNamed(['origin:http://b.test', 'node:03bb'])).toBe(true);

    const reopened = await CredentialHistory.open(fileAgentState(path));
    expect(reopened.shownAt('node', 5)).toEqual({ epoch: 5, roots: new Set([7n]), among: members('a', 'b') });
    // The provider's node key under another origin is still the one shown the pseudonym.
    expect(await reopened.claimNamed(['origin:https://a.test', 'node:02aa'])).toBe(false);
    await expect(reopened.claimAnonymous(['origin:http://c.test', 'node:03bb'])).rejects.toMatchObject({
      code: ErrorCode.WouldLink,
    });
    // A refused claim records nothing: the new origin is not marked.
    expect(await reopened.claimNamed(['origin:http://c.test'])).toBe(true);
    // The owner alone reads it, and no temporary file is left beside it.
    expect((await stat(path)).mode & 0o077).toBe(0);
    expect((await readdir(home)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('serializes reservations: the second started sees the first', async () => {
    const history = CredentialHistory.inMemory();
    const seen: unknown[] = [];
    await Promise.all([
      history.reserve('node', 5, (shown) => {
        seen.push(shown);
        return { root: 1n, among: members('a', 'b', 'c') };
      }),
      history.reserve('node', 5, (shown) => {
        seen.push(shown);
        return { root: 2n, among: members('a') };
      }),
    ]);
    expect(seen).toEqual([
      undefined,
      { roots: new Set([1n]), among: members('a', 'b', 'c'), excluded: members() },
    ]);
    expect(history.shownAt('node', 5)).toEqual({ epoch: 5, roots: new Set([1n, 2n]), among: members('a') });
  });

  it('records nothing when the choice refuses, and goes on after it', async () => {
    const history = CredentialHistory.inMemory();
    await expect(
      history.reserve('node', 5, () => {
        throw new AgoraError(ErrorCode.InvalidProof, 'below');
      }),
    ).rejects.toMatchObject({ code: ErrorCode.InvalidProof });
    expect(history.shownAt('node', 5)).toBeUndefined();
    await history.reserve('node', 5, pick(1n, members('a')));
    expect(history.shownAt('node', 5)?.roots).toEqual(new Set([1n]));
  });

  it('drops what no epoch still provable sees: out of the window of the one reserved and of the one before it', async () => {
    const history = CredentialHistory.inMemory();
    const today = 20;
    const refusal = { refused: new AgoraError(ErrorCode.InvalidProof, 'below'), excluded: members('z') };
    for (const [scope, epoch] of [
      ['old', today - REACH - 1],
      ['edge', today - REACH],
    ] as const) {
      await history.reserve(scope, epoch, pick(1n, members('a')));
      await expect(history.reserve(scope, epoch, () => refusal)).rejects.toBe(refusal.refused);
    }
    await history.reserve('today', today, pick(1n, members('a')));
    // `today - REACH` lies out of today's window (REACH - 1 labels either side since the edge-relabel fix), but
    // within yesterday's, which the payer may still be asked at the edge (the skew): kept, proof and refusal alike.
    // One epoch earlier, no epoch still provable sees it: dropped.
    expect(history.shownAt('old', today - REACH - 1)).toBeUndefined();
    expect(history.seenAt('old', today - REACH - 1)).toBeUndefined();
    expect(history.seenAt('edge', today)).toBeUndefined();
    expect(history.seenAt('edge', today - 1)).toEqual({
      roots: new Set([1n]),
      among: members('a'),
      excluded: members('z'),
    });
  });

  it('links what one node saw over the window: roots joined, members in common, refusals ruled out', async () => {
    const store = memoryAgentState();
    const history = await CredentialHistory.open(store);
    await history.reserve('node', 4, pick(1n, members('a', 'b', 'c', 'd')));
    await history.reserve('node', 5, pick(2n, members('a', 'b', 'c')));
    const refusal = { refused: new AgoraError(ErrorCode.InvalidProof, 'below'), excluded: members('c', 'z') };
    await expect(history.reserve('node', 6, () => refusal)).rejects.toBe(refusal.refused);
    expect(history.seenAt('node', 6)).toEqual({
      roots: new Set([1n, 2n]),
      among: members('a', 'b', 'c'),
      excluded: members('c', 'z'),
    });
    // Another node, or the same one a whole window later, has seen nothing.
    expect(history.seenAt('other', 6)).toBeUndefined();
    expect(history.seenAt('node', 6 + REACH)).toBeUndefined();
    // The refusal is in the document: a reopened history still rules its members out.
    expect((await CredentialHistory.open(store)).seenAt('node', 7)?.excluded).toEqual(members('c', 'z'));
  });

  it('records an unpaid challenge with what its window saw, so that it carries the window forward like a proof', async () => {
    const store = memoryAgentState();
    const history = await CredentialHistory.open(store);
    await history.reserve('node', 0, pick(1n, members('a', 'b', 'c')));
    // 6 epochs later, a refusal ruling out c: its entry keeps the proof's members and root and its own exclusion.
    const below = { refused: new AgoraError(ErrorCode.InvalidProof, 'below'), excluded: members('c') };
    await expect(history.reserve('node', 6, () => below)).rejects.toBe(below.refused);
    expect(history.seenAt('node', 12)).toEqual({
      roots: new Set([1n]),
      among: members('a', 'b', 'c'),
      excluded: members('c'),
    });
    // 6 more, a challenge left unpaid ruling out nobody (`WOULD_LINK`): it carries both on again.
    const linking = { refused: new AgoraError(ErrorCode.WouldLink, 'would link'), excluded: members() };
    await expect(history.reserve('node', 12, () => linking)).rejects.toBe(linking.refused);
    expect(history.seenAt('node', 18)).toEqual({
      roots: new Set([1n]),
      among: members('a', 'b', 'c'),
      excluded: members('c'),
    });
    // A proof there hides among what the chain left; its own entry then carries that on.
    await history.reserve('node', 18, (seen) => {
      expect(seen?.among).toEqual(members('a', 'b', 'c'));
      return { root: 2n, among: members('a', 'b') };
    });
    // Another unpaid challenge at epoch 12, seeing that proof, narrows its entry to the members common to both.
    await expect(history.reserve('node', 12, () => linking)).rejects.toBe(linking.refused);
    expect(history.seenAt('node', 6)?.among).toEqual(members('a', 'b'));
    // Kept in the document (v8).
    const reopened = await CredentialHistory.open(store);
    expect(JSON.parse((await store.read()) as string).v).toBe(8);
    // The epoch-12 entry carries both roots its window was shown (the first proof's through the refusal of 6).
    expect(reopened.seenAt('node', 12 + CREDENTIAL_LINK_EPOCHS - 1)).toEqual({
      roots: new Set([1n, 2n]),
      among: members('a', 'b'),
      excluded: members('c'),
    });
  });

  it('records nothing for an unpaid challenge with nothing to carry: no proof seen, nobody ruled out', async () => {
    const base = memoryAgentState();
    let writes = 0;
    const history = await CredentialHistory.open({
      read: () => base.read(),
      write: async (text) => {
        writes++;
        await base.write(text);
      },
    });
    const few = { refused: new AgoraError(ErrorCode.InvalidProof, 'too few'), excluded: members() };
    await expect(history.reserve(['node', 'origin:https://a.test'], 5, () => few)).rejects.toBe(few.refused);
    expect(writes).toBe(0);
    expect(history.seenAt(['node', 'origin:https://a.test'], 5)).toBeUndefined();
  });

  it("carries under a scope a set below the refusal's minAnonymity only if that scope's own window left it", async () => {
    const store = memoryAgentState();
    const history = await CredentialHistory.open(store);
    const refused = async () => parseCredentialHistory((await store.read()) as string).refused;
    await history.reserve('node', 5, pick(1n, members('a', 'b', 'c')));
    await history.reserve('origin:https://evil.test', 5, pick(2n, members('a', 'x', 'y')));
    await history.reserve('origin:https://small.test', 5, pick(3n, members('a')));
    const refusal = (minAnonymity?: number) => ({
      refused: new AgoraError(ErrorCode.WouldLink, 'few'),
      excluded: members(),
      ...(minAnonymity === undefined ? {} : { minAnonymity }),
    });
    // Together they leave 'a' alone, fewer than 2: each scope carries its own window's set.
    const twoOf = refusal(2);
    await expect(history.reserve(['node', 'origin:https://evil.test'], 5, () => twoOf)).rejects.toBe(
      twoOf.refused,
    );
    expect((await refused()).get('node 5')?.among).toEqual(members('a', 'b', 'c'));
    expect((await refused()).get('origin:https://evil.test 5')?.among).toEqual(members('a', 'x', 'y'));
    // A scope whose own window left that few carries it; at a floor of 1 the set common to all is carried anywhere.
    await expect(history.reserve(['node', 'origin:https://small.test'], 5, () => twoOf)).rejects.toBe(
      twoOf.refused,
    );
    expect((await refused()).get('origin:https://small.test 5')?.among).toEqual(members('a'));
    expect((await refused()).get('node 5')?.among).toEqual(members('a', 'b', 'c'));
    const oneOf = refusal(1);
    await expect(history.reserve(['node', 'origin:https://evil.test'], 5, () => oneOf)).rejects.toBe(
      oneOf.refused,
    );
    expect((await refused()).get('node 5')?.among).toEqual(members('a'));
  });

  it("carries the window's exclusions on whatever they leave of its members in common (twelfth review)", async () => {
    const store = memoryAgentState();
    const history = await CredentialHistory.open(store);
    const refused = async () => parseCredentialHistory((await store.read()) as string).refused;
    const refusal = (excluded: ReadonlySet<string>, minAnonymity: number) => ({
      refused: new AgoraError(ErrorCode.InvalidProof, 'refused'),
      excluded,
      minAnonymity,
    });
    await history.reserve('node', 0, pick(1n, members('a', 'b', 'c', 'd')));
    // A refusal ruling out c and d leaves a and b, fewer than 3: recorded all the same.
    const below = refusal(members('c', 'd'), 3);
    await expect(history.reserve('node', 0, () => below)).rejects.toBe(below.refused);
    expect((await refused()).get('node 0')?.excluded).toEqual(members('c', 'd'));
    // The unpaid challenges 6 epochs apart carry the members in common and every exclusion their windows held: the
    // operator linking the chain still knows c and d ruled out, long after epoch 0's own entry is dropped.
    const next = refusal(members(), 3);
    await expect(history.reserve('node', 6, () => next)).rejects.toBe(next.refused);
    await expect(history.reserve('node', 12, () => next)).rejects.toBe(next.refused);
    expect((await refused()).get('node 12')).toMatchObject({
      among: members('a', 'b', 'c', 'd'),
      excluded: members('c', 'd'),
    });
    expect((await refused()).has('node 0')).toBe(false);
    expect(history.seenAt('node', 18)).toEqual({
      roots: new Set([1n]),
      among: members('a', 'b', 'c', 'd'),
      excluded: members('c', 'd'),
    });
  });

  it('tells, per root, the levels of the proofs shown to every scope asked about together in the window', async () => {
    const store = memoryAgentState();
    const history = await CredentialHistory.open(store);
    const a = ['node', 'origin:https://a.test'];
    const b = ['node', 'origin:https://b.test'];
    const at = (root: bigint, among: ReadonlySet<string>) => () => ({ root, among });
    await history.reserve(a, 0, at(1n, members('a', 'b')));
    await history.reserve(a, 1, at(1n, members('a', 'b')));
    await history.reserve(b, 1, at(2n, members('a')));
    await history.reserve('origin:https://b.test', 1, at(1n, members('a')));
    // A reservation shows nothing: no level counts before its proof is shown.
    expect(history.seenAt(a, 1)?.proved).toBeUndefined();
    // Shown: recorded for the scopes named together, whatever order they are given in.
    await history.showed(a, 0, 1n, 15);
    await history.showed([...a].reverse(), 1, 1n, 18);
    await history.showed(b, 1, 2n, 20);
    await history.showed('origin:https://b.test', 1, 1n, 16);
    // Never for a reservation not made (root 2 at epoch 0, any scope at epoch 2): a level nothing reserved is
    // shown nothing.
    await history.showed(a, 0, 2n, 21);
    await history.showed(a, 2, 1n, 22);
    const written = JSON.parse((await store.read()) as string);
    expect(written.v).toBe(8);
    expect(written.proofs).toHaveLength(4);
    // Recorded once: showing it again (each use of its token) writes nothing.
    await history.showed(a, 1, 1n, 18);
    expect(await store.read()).toBe(`${JSON.stringify(written)}\n`);
    const reopened = await CredentialHistory.open(store);
    // The node key was shown all three proofs naming it, with either origin.
    expect(reopened.seenAt('node', 3)?.proved).toEqual(
      new Map([
        [1n, new Set([15, 18])],
        [2n, new Set([20])],
      ]),
    );
    expect(reopened.seenAt(a, 3)?.proved).toEqual(new Map([[1n, new Set([15, 18])]]));
    // b.test was shown level 16 of root 1 alone, the node key never: together they were shown root 2 only.
    expect(reopened.seenAt('origin:https://b.test', 3)?.proved).toEqual(
      new Map([
        [1n, new Set([16])],
        [2n, new Set([20])],
      ]),
    );
    expect(reopened.seenAt(b, 3)?.proved).toEqual(new Map([[2n, new Set([20])]]));
    // Two origins each shown root 1 apart were never shown one proof together: nothing.
    expect(reopened.seenAt(['origin:https://a.test', 'origin:https://b.test'], 3)?.proved).toBeUndefined();
    // Only proofs shown count, never what an unpaid challenge carried on; nor any out of the window.
    const unpaid = { refused: new AgoraError(ErrorCode.WouldLink, 'few'), excluded: members() };
    await expect(reopened.reserve('node', 7, () => unpaid)).rejects.toBe(unpaid.refused);
    expect(reopened.seenAt('node', REACH + 1)?.among).toEqual(members('a'));
    expect(reopened.seenAt('node', REACH + 1)?.proved).toBeUndefined();
    // Dropped with the entries once no epoch still provable sees them.
    await expect(reopened.reserve('node', REACH + 2, () => unpaid)).rejects.toBe(unpaid.refused);
    expect(reopened.seenAt('node', 3)?.proved).toBeUndefined();
    expect(JSON.parse((await store.read()) as string).proofs).toEqual([]);
  });

  it('reads a v5 document, dropping the levels it recorded at reservation: none lets a proof through', () => {
    const v5 = JSON.stringify({
      kind: 'agora402/credential-history',
      v: 5,
      members: ['a', 'b'],
      shown: [
        {
          provider: 'node',
          epoch: 1,
          roots: ['1'],
          among: 'Aw==',
          levels: [
            { root: '1', level: 15 },
            { root: '1', level: 18 },
          ],
        },
        {
          provider: 'origin:https://a.test',
          epoch: 1,
          roots: ['1'],
          among: 'Aw==',
          levels: [{ root: '1', level: 15 }],
        },
      ],
      named: [],
      anonymous: [],
      epochs: [{ provider: 'node', epoch: 1 }],
      refused: [{ provider: 'node', epoch: 1, excluded: 'Ag==' }],
      origins: [{ origin: 'https://a.test', node: 'node', epoch: 1, paid: true }],
    });
    const state = parseCredentialHistory(v5);
    expect(state.shown.get('node 1')).toEqual({ epoch: 1, roots: new Set([1n]), among: members('a', 'b') });
    expect(state.refused.get('node 1')?.excluded).toEqual(members('b'));
    expect(state.proofs.size).toBe(0);
    // Written again, as v8 with no proof shown.
    const again = JSON.parse(formatCredentialHistory(state));
    expect(again.v).toBe(8);
    expect(again.proofs).toEqual([]);
    expect(again.shown.every((entry: object) => !('levels' in entry))).toBe(true);
  });

  it('migrates a v3 document: each refusal carries what its window holds (the proofs in common, every exclusion)', () => {
    const v3 = JSON.stringify({
      kind: 'agora402/credential-history',
      v: 3,
      members: ['a', 'b', 'c', 'd'],
      // Bitmaps: a b c = 0b0111, a b = 0b0011, c = 0b0100, d = 0b1000.
      shown: [
        { provider: 'node', epoch: 0, roots: ['1'], among: 'Bw==' },
        { provider: 'node', epoch: 3, roots: ['1'], among: 'Aw==' },
      ],
      named: [],
      anonymous: [],
      epochs: [],
      refused: [
        { provider: 'node', epoch: 6, excluded: 'BA==' },
        { provider: 'node', epoch: 9, excluded: 'CA==' },
        { provider: 'other', epoch: 6, excluded: 'CA==' },
      ],
      origins: [],
    });
    const state = parseCredentialHistory(v3);
    expect(state.refused.get('node 6')).toEqual({
      epoch: 6,
      excluded: members('c', 'd'),
      among: members('a', 'b'),
      roots: new Set([1n]),
    });
    // Epoch 0 lies out of epoch 9's window; epoch 3 and 6 in it.
    expect(state.refused.get('node 9')).toEqual({
      epoch: 9,
      excluded: members('c', 'd'),
      among: members('a', 'b'),
      roots: new Set([1n]),
    });
    expect(state.refused.get('other 6')).toEqual({ epoch: 6, excluded: members('d') });
    expect(parseCredentialHistory(formatCredentialHistory(state))).toEqual(state);
  });

  it('counts later epochs within the window too: an origin asked the next epoch first constrains the last one', async () => {
    const history = CredentialHistory.inMemory();
    const origin = 'origin:https://a.test';
    await history.reserve(['nodeA', origin], 11, pick(1n, members('a', 'b', 'c')));
    const refusal = { refused: new AgoraError(ErrorCode.InvalidProof, 'below'), excluded: members('c') };
    await expect(history.reserve(['nodeA', origin], 11, () => refusal)).rejects.toBe(refusal.refused);
    // Epoch 10 through node B: the origin's epoch-11 proof and refusal count.
    let seen: unknown;
    await history.reserve(['nodeB', origin], 10, (given) => {
      seen = given;
      return { root: 1n, among: members('a', 'b') };
    });
    // Node A counts too, linked to the origin by the epoch-11 reservation: its window is the origin's here.
    expect(seen).toEqual({
      roots: new Set([1n]),
      among: members('a', 'b', 'c'),
      excluded: members('c'),
      linked: ['nodeA'],
    });
    // The window reaches REACH - 1 labels either side (one more than the window on each side, for a label chosen at
    // either edge), no further.
    expect(history.seenAt(origin, 11 - REACH + 1)?.roots).toEqual(new Set([1n]));
    expect(history.seenAt(origin, 10 - REACH)).toBeUndefined();
    expect(history.seenAt('nodeA', 10)?.excluded).toEqual(members('c'));
  });

  it("checks a node key with its origin's scope: what the origin saw through another node key counts", async () => {
    const store = memoryAgentState();
    const history = await CredentialHistory.open(store);
    await history.reserve(['nodeA', 'origin:https://a.test'], 5, pick(1n, members('a', 'b', 'c')));
    const refusal = { refused: new AgoraError(ErrorCode.InvalidProof, 'below'), excluded: members('c') };
    await expect(history.reserve(['nodeA', 'origin:https://a.test'], 5, () => refusal)).rejects.toBe(
      refusal.refused,
    );
    // Node B, named by the same origin, sees what the origin saw through node A.
    let seen: unknown;
    await history.reserve(['nodeB', 'origin:https://a.test'], 6, (given) => {
      seen = given;
      return { root: 2n, among: members('a', 'b') };
    });
    expect(seen).toEqual({
      roots: new Set([1n]),
      among: members('a', 'b', 'c'),
      excluded: members('c'),
      linked: ['nodeA'],
    });
    // Node B alone was shown only this last proof; node A never saw it; the origin saw both.
    expect(history.seenAt('nodeB', 6)).toEqual({
      roots: new Set([2n]),
      among: members('a', 'b'),
      excluded: members(),
    });
    expect(history.seenAt('nodeA', 6)?.roots).toEqual(new Set([1n]));
    expect(history.seenAt('origin:https://a.test', 6)).toEqual({
      roots: new Set([1n, 2n]),
      among: members('a', 'b'),
      excluded: members('c'),
    });
    // Another origin naming node B sees node B's entries, not the first origin's.
    expect(history.seenAt(['nodeB', 'origin:https://b.test'], 6)?.roots).toEqual(new Set([2n]));
    // Kept in the document.
    expect((await CredentialHistory.open(store)).seenAt('origin:https://a.test', 6)?.excluded).toEqual(
      members('c'),
    );
  });

  it('migrates a v2 document: each origin has seen what the node keys it named were shown, then writes v7', () => {
    const v2 = JSON.stringify({
      kind: 'agora402/credential-history',
      v: 2,
      members: ['a', 'b', 'c', 'd'],
      // Bitmaps over the members: a b c = 0b0111, b c d = 0b1110, d = 0b1000.
      shown: [
        { provider: '02aa', epoch: 5, roots: ['1'], among: 'Bw==' },
        { provider: '03bb', epoch: 5, roots: ['2'], among: 'Dg==' },
        { provider: '04cc', epoch: 5, roots: ['3'], among: 'CA==' },
      ],
      named: [],
      anonymous: [],
      epochs: [],
      refused: [{ provider: '03bb', epoch: 4, excluded: 'CA==' }],
      origins: [
        { origin: 'https://a.test', node: '02aa', epoch: 5, paid: true },
        { origin: 'https://a.test', node: '03bb', epoch: 5, paid: false },
      ],
    });
    const state = parseCredentialHistory(v2);
    expect(state.shown.get('origin:https://a.test 5')).toEqual({
      epoch: 5,
      roots: new Set([1n, 2n]),
      among: members('b', 'c'),
    });
    // Each refusal carries what its window holds (as from v4 on): the members common to the proofs there, and
    // their roots.
    expect(state.refused.get('origin:https://a.test 4')).toEqual({
      epoch: 4,
      excluded: members('d'),
      among: members('b', 'c'),
      roots: new Set([1n, 2n]),
    });
    expect(state.refused.get('03bb 4')).toEqual({
      epoch: 4,
      excluded: members('d'),
      among: members('b', 'c', 'd'),
      roots: new Set([2n]),
    });
    // The node keys' own entries are as they were; a node the origin never named is not the origin's.
    expect(state.shown.get('03bb 5')?.among).toEqual(members('b', 'c', 'd'));
    expect([...state.shown.keys()].filter((key) => key.startsWith('origin:'))).toEqual([
      'origin:https://a.test 5',
    ]);
    // Written again, it is v8 and read as it is, not migrated twice.
    const v8 = formatCredentialHistory(state);
    expect(JSON.parse(v8).v).toBe(8);
    expect(parseCredentialHistory(v8)).toEqual(state);
  });

  it('checks a reservation against every scope linked to its own by reservations in the window, transitively', async () => {
    const store = memoryAgentState();
    const history = await CredentialHistory.open(store);
    const one = 'origin:https://one.test';
    const two = 'origin:https://two.test';
    await history.reserve(['n1', one], 5, pick(1n, members('a', 'b', 'c', 'd')));
    await history.reserve(['n2', one], 5, pick(2n, members('a', 'b', 'c')));
    // A refusal links nothing: n3 stays apart from one.test.
    const refusal = { refused: new AgoraError(ErrorCode.InvalidProof, 'below'), excluded: members('d') };
    await expect(history.reserve(['n3', one], 5, () => refusal)).rejects.toBe(refusal.refused);
    expect(history.linkedScopes(['n1', two], 5)).toEqual(['n1', two, 'n2', one]);
    expect(history.linkedScopes('n3', 5)).toEqual(['n3']);
    expect(history.linkedScopes(one, 5 + REACH - 1)).toEqual([one, 'n1', 'n2']);
    expect(history.linkedScopes(one, 5 + REACH)).toEqual([one]);
    let seen: unknown;
    let own: ReadonlySet<string> | undefined;
    await history.reserve(['n1', two], 6, (given) => {
      seen = given;
      own = history.seenAt(['n1', two], 6)?.among;
      return { root: 1n, among: members('a') };
    });
    // Its own roots; the members and exclusions of n1, one.test and n2 (through one.test) together.
    expect(seen).toEqual({
      roots: new Set([1n]),
      among: members('a', 'b', 'c'),
      excluded: members('d'),
      linked: ['n2', one],
    });
    // Its own scopes alone would have left d (and not ruled it out).
    expect(own).toEqual(members('a', 'b', 'c', 'd'));
    // The link is kept in the document, and dropped with the window.
    const reread = parseCredentialHistory((await store.read()) as string);
    // Renewed with its whole component (the outlived link): n1 and two.test, with n2 and one.test through n1.
    // Recorded as a spanning tree of pairs from the reservation's first scope (the link-growth fix), not one list.
    expect([...reread.links.values()].filter((link) => link.epoch === 6)).toEqual([
      { epoch: 6, scopes: ['n1', two] },
      { epoch: 6, scopes: ['n1', 'n2'] },
      { epoch: 6, scopes: ['n1', one] },
    ]);
    await history.reserve('n9', 6 + REACH + 1, pick(1n, members('a')));
    expect(history.linkedScopes(one, 6)).toEqual([one]);
  });

  it('renews a component’s link at every visit, so that it lasts as long as a chain of visits through it', async () => {
    const history = CredentialHistory.inMemory();
    const one = 'origin:https://one.test';
    await history.reserve(['n1', one], 0, pick(1n, members('a', 'b')));
    // one.test's chain goes on: its component (n1 through the link of epoch 0) is linked again at 5, with n3.
    await history.reserve(['n3', one], 5, pick(1n, members('a', 'b')));
    expect(history.linkedScopes('n1', 11)).toEqual(['n1', 'n3', one]);
    // An unpaid challenge renews each of its scopes' components apart: it joins n4 to nothing.
    const refusal = { refused: new AgoraError(ErrorCode.InvalidProof, 'below'), excluded: members('b') };
    await expect(history.reserve(['n4', one], 10, () => refusal)).rejects.toBe(refusal.refused);
    expect(history.linkedScopes('n1', 16)).toEqual(['n1', 'n3', one]);
    expect(history.linkedScopes('n4', 10)).toEqual(['n4']);
    // A proof at n1 then is checked against one.test's window: the exclusion one.test's refusal made at 10.
    let seen: unknown;
    await history.reserve(['n1', 'origin:https://two.test'], 16, (given) => {
      seen = given;
      return { root: 1n, among: members('a') };
    });
    expect(seen).toMatchObject({ excluded: members('b'), linked: ['n3', one] });
    // Nobody visits the component for the window: it falls apart.
    expect(history.linkedScopes('n3', 16 + REACH)).toEqual(['n3']);
  });

  it('carries no more members for a visit with no minAnonymity than for one at any value, both recorded in one epoch in either order (r18o)', async () => {
    const one = 'origin:https://one.test';
    // n1's own window leaves a, b, c; its component (n1, n2 through one.test) leaves a, b.
    const setUp = async () => {
      const store = memoryAgentState();
      const history = await CredentialHistory.open(store);
      await history.reserve(['n1', one], 0, pick(1n, members('a', 'b', 'c')));
      await history.reserve(['n2', one], 0, pick(2n, members('a', 'b')));
      const entry = async (epoch: number) =>
        parseCredentialHistory((await store.read()) as string).refused.get(`n1 ${epoch}`)?.among;
      return { history, entry };
    };
    for (const least of [1, 2, 3, 4, 8, 12]) {
      const { history, entry } = await setUp();
      await history.refusedVisit('n1', 3, 'https://x.test');
      await history.refusedVisit('n1', 4, 'https://x.test', least);
      const none = (await entry(3)) as ReadonlySet<string>;
      const at = (await entry(4)) as ReadonlySet<string>;
      expect(none).toEqual(members('a', 'b'));
      expect([...none].every((agent) => at.has(agent))).toBe(true);
    }
    // A holder's visit at 3 and a history-only visit in one epoch (the in-memory notes are keyed apart): whichever
    // comes first, the entry ends with the component's a, b.
    for (const holderFirst of [true, false]) {
      const { history, entry } = await setUp();
      if (holderFirst) await history.refusedVisit('n1', 3, 'https://x.test', 3);
      await history.refusedVisit('n1', 3, 'https://y.test');
      if (!holderFirst) await history.refusedVisit('n1', 3, 'https://x.test', 3);
      expect(await entry(3)).toEqual(members('a', 'b'));
    }
  });

  it('records a challenge claimEpoch refuses as a visit: each scope carries its component on, joining nothing', async () => {
    const store = memoryAgentState();
    const history = await CredentialHistory.open(store);
    const one = 'origin:https://one.test';
    await history.reserve(['n1', one], 0, pick(1n, members('a', 'b', 'c')));
    await history.reserve(['n2', one], 0, pick(2n, members('a', 'b')));
    await history.claimEpoch('n1', 5, 'https://one.test');
    // Going back an epoch at n1 (`WOULD_LINK`), named by two.test: n1's component is renewed at 4, and n1's entry
    // carries what its own window left, the component's (a, b) being fewer than the minAnonymity given, 3.
    await expect(history.claimEpoch('n1', 4, 'https://two.test', 3)).rejects.toMatchObject({
      code: ErrorCode.WouldLink,
    });
    expect(history.linkedScopes('n1', 4 + CREDENTIAL_LINK_EPOCHS)).toEqual(['n1', 'n2', one]);
    // two.test is joined to nothing.
    expect(history.linkedScopes('origin:https://two.test', 4)).toEqual(['origin:https://two.test']);
    const refusedAt = async (epoch: number) =>
      parseCredentialHistory((await store.read()) as string).refused.get(`n1 ${epoch}`);
    expect(await refusedAt(4)).toEqual({
      epoch: 4,
      excluded: members(),
      among: members('a', 'b', 'c'),
      roots: new Set([1n]),
    });
    // With no minAnonymity (or one the component leaves), what the component left is carried.
    await expect(history.claimEpoch('n1', 3, 'https://three.test')).rejects.toMatchObject({
      code: ErrorCode.WouldLink,
    });
    expect((await refusedAt(3))?.among).toEqual(members('a', 'b'));
    await expect(history.claimEpoch('n1', 5, 'https://one.test', Number.NaN)).rejects.toMatchObject({
      code: ErrorCode.InvalidArgument,
    });
    // A throwaway key over an origin's bound (`LIMIT_REACHED`) has no history: nothing is written for it.
    for (let at = 0; at < MAX_UNPAID_NODES_PER_ORIGIN; at++)
      await history.claimEpoch(`t${at}`, 5, 'https://four.test');
    const before = await store.read();
    await expect(history.claimEpoch('fresh', 5, 'https://four.test')).rejects.toMatchObject({
      code: ErrorCode.LimitReached,
    });
    expect(await store.read()).toBe(before);
    // A challenge refused for its label (`refusedVisit`, at the payer's own epoch) is recorded as these refusals are.
    await history.refusedVisit('n1', 6, 'https://five.test');
    expect((await refusedAt(6))?.among).toEqual(members('a', 'b'));
    expect(history.linkedScopes('origin:https://five.test', 6)).toEqual(['origin:https://five.test']);
    await expect(history.refusedVisit('n1', 6, 'https://five.test', 0)).rejects.toMatchObject({
      code: ErrorCode.InvalidArgument,
    });
    await expect(history.refusedVisit('n1', -1)).rejects.toMatchObject({ code: ErrorCode.InvalidArgument });
  });

  it("records a request naming no node key as its origin's visit alone, once per epoch while nobody else writes", async () => {
    const inner = memoryAgentState();
    let reads = 0;
    let locks = 0;
    const store: AgentStateStore = {
      read: () => {
        reads++;
        return inner.read();
      },
      write: (text) => inner.write(text),
      exclusive: (step) => {
        locks++;
        return step();
      },
    };
    const history = await CredentialHistory.open(store);
    const one = 'origin:https://one.test';
    await history.reserve(['n1', one], 0, pick(1n, members('a', 'b', 'c')));
    await history.reserve(['n2', one], 1, pick(2n, members('a', 'b')));
    // An origin with no history: nothing written, nothing joined.
    const reserved = await inner.read();
    await history.originVisit('https://fresh.test', 8);
    expect(await inner.read()).toBe(reserved);
    // one.test at 8: its component renewed there (n1 reaches n2 at 16, out of the reach of 0's and 1's links), its
    // entry carrying what the component left.
    expect(history.linkedScopes('n1', 16)).toEqual(['n1']);
    await history.originVisit('https://one.test', 8);
    expect(history.linkedScopes('n1', 16)).toEqual(['n1', 'n2', one]);
    const visited = await inner.read();
    expect(parseCredentialHistory(visited as string).refused.get(`${one} 8`)?.among).toEqual(
      members('a', 'b'),
    );
    // Again in epoch 8: no lock, no write, one read to find the document unchanged.
    const [readsBefore, locksBefore] = [reads, locks];
    await history.originVisit('https://one.test', 8);
    await history.originVisit('https://fresh.test', 8);
    expect([reads - readsBefore, locks - locksBefore]).toEqual([2, 0]);
    // Another minAnonymity is another visit (it carries another window).
    await history.originVisit('https://one.test', 8, 3);
    expect(locks - locksBefore).toBe(1);
    // Another writer puts back the document of before the visit (a restore): the note stands for nothing now, and
    // the visit is recorded again.
    for (const readFirst of [false, true]) {
      await inner.write(reserved as string);
      // Read first by another step of this history (one that writes nothing), or found changed by the visit's read.
      if (readFirst) await history.paid('n9', 'https://nine.test');
      await history.originVisit('https://one.test', 8);
      expect(await inner.read()).not.toBe(reserved);
      expect(history.linkedScopes('n1', 16)).toEqual(['n1', 'n2', one]);
    }
    // Nor does a note outlive this history's own drop of its epoch (a clock set back: 18 then 8 again). A link of 12
    // joins one.test and n3; the visit at 8 renews it at 8, where the window of 0 sees it.
    await history.reserve(['n3', one], 12, pick(3n, members('a', 'b')));
    await history.originVisit('https://one.test', 7);
    expect(history.linkedScopes(one, 0)).toContain('n3');
    await history.reserve('n4', 18, pick(4n, members('a', 'b')));
    expect(history.linkedScopes(one, 0)).not.toContain('n3');
    await history.originVisit('https://one.test', 7);
    expect(history.linkedScopes(one, 0)).toContain('n3');
    await expect(history.originVisit('https://one.test', 8, 0)).rejects.toMatchObject({
      code: ErrorCode.InvalidArgument,
    });
  });

  it('drops, on a claimEpoch refusal, what reserve drops at that epoch', async () => {
    const store = memoryAgentState();
    const history = await CredentialHistory.open(store);
    await history.reserve(['n0', 'origin:https://zero.test'], 0, pick(1n, members('a', 'b')));
    await history.claimEpoch('n1', 21);
    const document = async () => parseCredentialHistory((await store.read()) as string);
    expect((await document()).shown.has('n0 0')).toBe(true);
    // Going back at n1 (`WOULD_LINK`), at 20: nothing of epoch 0 is in any window from 19 on.
    await expect(history.claimEpoch('n1', 20)).rejects.toMatchObject({ code: ErrorCode.WouldLink });
    const after = await document();
    expect([...after.shown.keys(), ...after.links.keys()]).toEqual([]);
  });

  it('links a component as a spanning tree, every linkedScopes as whole-component links gave it', async () => {
    const store = memoryAgentState();
    const history = await CredentialHistory.open(store);
    let widest = 0;
    // The links as v8 recorded them before the link-growth fix: each renewal one list of its whole component.
    const lists: { epoch: number; scopes: string[] }[] = [];
    const reference = (scope: string, epoch: number): string[] => {
      const reached = new Set([scope]);
      for (let grew = true; grew; ) {
        grew = false;
        for (const list of lists)
          if (
            list.epoch > epoch - REACH &&
            list.epoch < epoch + REACH &&
            list.scopes.some((at) => reached.has(at)) &&
            list.scopes.some((at) => !reached.has(at))
          ) {
            for (const at of list.scopes) reached.add(at);
            grew = true;
          }
      }
      return [scope, ...[...reached].filter((at) => at !== scope).sort()];
    };
    let seed = 7;
    const next = (below: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % below;
    };
    const scopes = [
      ...Array.from({ length: 5 }, (_, at) => `n${at}`),
      ...Array.from({ length: 5 }, (_, at) => `origin:o${at}`),
    ];
    const refusal = { refused: new AgoraError(ErrorCode.WouldLink, 'few'), excluded: members() };
    let epoch = 0;
    for (let step = 0; step < 150; step++) {
      epoch += next(4) === 0 ? 1 + next(3) : 0;
      const asked = [`n${next(5)}`, `origin:o${next(5)}`];
      if (next(3) === 0) {
        for (const scope of asked) lists.push({ epoch, scopes: history.linkedScopes(scope, epoch) });
        await expect(history.reserve(asked, epoch, () => refusal)).rejects.toBe(refusal.refused);
      } else {
        lists.push({ epoch, scopes: history.linkedScopes(asked, epoch) });
        await history.reserve(asked, epoch, pick(1n, members('a')));
      }
      for (const scope of scopes) {
        const linked = history.linkedScopes(scope, epoch);
        expect(linked).toEqual(reference(scope, epoch));
        widest = Math.max(widest, linked.length);
      }
    }
    // Components grew past two scopes (renewals joined), yet every link written is one pair.
    expect(widest).toBeGreaterThan(4);
    const written = parseCredentialHistory((await store.read()) as string);
    for (const link of written.links.values()) expect(link.scopes).toHaveLength(2);
  });

  it('reads a v6 document taking its links from the nodes its origins named and the proofs it showed', () => {
    const v6 = JSON.stringify({
      kind: 'agora402/credential-history',
      v: 6,
      members: ['a', 'b'],
      shown: [
        { provider: 'n1', epoch: 1, roots: ['1'], among: 'Aw==' },
        { provider: 'origin:https://a.test', epoch: 1, roots: ['1'], among: 'Aw==' },
      ],
      named: [],
      anonymous: [],
      epochs: [],
      refused: [],
      origins: [
        { origin: 'https://a.test', node: 'n1', epoch: 1, paid: true },
        { origin: 'https://a.test', node: 'n2', epoch: 2, paid: false },
      ],
      proofs: [{ scopes: ['n3', 'origin:https://b.test'], epoch: 1, root: '1', level: 15 }],
    });
    const state = parseCredentialHistory(v6);
    expect([...state.links.values()]).toEqual([
      { epoch: 1, scopes: ['n1', 'origin:https://a.test'] },
      { epoch: 2, scopes: ['n2', 'origin:https://a.test'] },
      { epoch: 1, scopes: ['n3', 'origin:https://b.test'] },
      // Renewed by the visits its entries record (as a v8 client renews them): n1 and a.test at epoch 1, n2 joined
      // to them by one pair (a spanning tree: a.test and n1 are joined there already).
      { epoch: 1, scopes: ['n1', 'n2'] },
    ]);
    // Written again as v8, read as it is.
    const again = formatCredentialHistory(state);
    expect(JSON.parse(again).v).toBe(8);
    expect(parseCredentialHistory(again)).toEqual(state);
  });

  it('reads a v7 document renewing its links by the visits its entries record', async () => {
    // The outlived link as a v7 client left it: one.test named n1 at 0 (linked), two.test named n1 at 5, one.test
    // named n2 at 6 against a narrower root.
    const one = 'origin:https://one.test';
    const two = 'origin:https://two.test';
    const entry = (provider: string, epoch: number, among: string) => ({
      provider,
      epoch,
      roots: ['1'],
      among,
    });
    const v7 = JSON.stringify({
      kind: 'agora402/credential-history',
      v: 7,
      members: ['a', 'b'],
      shown: [
        entry('n1', 0, 'Aw=='),
        entry(one, 0, 'Aw=='),
        entry('n1', 5, 'Aw=='),
        entry(two, 5, 'Aw=='),
      ].concat([entry('n2', 6, 'AQ=='), entry(one, 6, 'AQ==')]),
      named: [],
      anonymous: [],
      epochs: [],
      refused: [],
      origins: [],
      proofs: [],
      links: [
        { scopes: ['n1', one], epoch: 0 },
        { scopes: ['n1', two], epoch: 5 },
        { scopes: ['n2', one], epoch: 6 },
      ],
    });
    const store = memoryAgentState();
    await store.write(v7);
    const history = await CredentialHistory.open(store);
    // n1's visit of epoch 5 renewed its component (one.test through the link of 0): at 11, with the link of 0 out of
    // the window, n1 is still checked against one.test's window, which holds only `a` since 6.
    expect(history.linkedScopes('n1', 11)).toEqual(['n1', 'n2', one, two]);
    expect(history.seenAt(history.linkedScopes('n1', 11), 11)?.among).toEqual(members('a'));
    // Without the renewal n1 would be linked to two.test alone.
    const kept = parseCredentialHistory(v7);
    expect([...kept.links.values()].filter((link) => link.epoch === 5)).toEqual([
      { epoch: 5, scopes: ['n1', two] },
      { epoch: 5, scopes: ['n1', 'n2'] },
      { epoch: 5, scopes: ['n1', one] },
    ]);
  });

  it('fails a reservation whose write fails, before anything is proved', async () => {
    const failing: AgentStateStore = {
      read: async () => undefined,
      write: async () => {
        throw new AgoraError(ErrorCode.Io, 'disk full');
      },
    };
    const history = await CredentialHistory.open(failing);
    await expect(history.reserve('node', 5, pick(1n, members('a')))).rejects.toMatchObject({
      code: ErrorCode.Io,
    });
  });

  it("reads a document kept per pseudonym scope as its node keys' entries, roots joined and members in common", () => {
    const shown = (scope: string, roots: string[], among: string[]) => ({ scope, epoch: 5, roots, among });
    const state = parseCredentialHistory(
      JSON.stringify({
        kind: 'agora402/credential-history',
        v: 1,
        shown: [
          shown('02aa weather 5 15', ['1'], ['a', 'b', 'c']),
          shown('02aa radar 5 17', ['2'], ['b', 'c', 'd']),
          shown('03bb weather 5 15', ['3'], ['e']),
        ],
        named: [],
        anonymous: [],
      }),
    );
    expect([...state.shown]).toEqual([
      ['02aa 5', { epoch: 5, roots: new Set([1n, 2n]), among: members('b', 'c') }],
      ['03bb 5', { epoch: 5, roots: new Set([3n]), among: members('e') }],
    ]);
  });

  it('keeps each member once and each set as a bitmap, and reads both versions alike', () => {
    const agents = Array.from({ length: 1_000 }, (_, at) => at.toString(16).padStart(64, '0'));
    const state: CredentialHistoryState = {
      shown: new Map(
        Array.from({ length: 20 }, (_, node) => [
          `node${node} 5`,
          { epoch: 5, roots: new Set([1n]), among: new Set(agents.slice(node)) },
        ]),
      ),
      refused: new Map([['node0 5', { epoch: 5, excluded: new Set(agents.slice(0, 10)) }]]),
      marks: new Map(),
      epochs: new Map(),
      origins: new Map(),
      proofs: new Map(),
      links: new Map(),
    };
    const text = formatCredentialHistory(state);
    // The ids once (67 characters each), then 20 bitmaps of 1,000 bits: not 20 lists of ids.
    expect(text.length).toBeLessThan(1_000 * 67 + 21 * 200 + 1_000);
    expect(parseCredentialHistory(text)).toEqual(state);
    // The same as v1 wrote it, the lists written out.
    const v1 = JSON.stringify({
      kind: 'agora402/credential-history',
      v: 1,
      shown: [...state.shown].map(([key, entry]) => ({
        provider: key.split(' ')[0],
        epoch: entry.epoch,
        roots: ['1'],
        among: [...entry.among],
      })),
      named: [],
      anonymous: [],
      refused: [{ provider: 'node0', epoch: 5, excluded: agents.slice(0, 10) }],
    });
    // Migrated, the refusal carries what its window holds: node0's proof of epoch 5, its members and root.
    expect(parseCredentialHistory(v1)).toEqual({
      ...state,
      refused: new Map([
        [
          'node0 5',
          { epoch: 5, excluded: new Set(agents.slice(0, 10)), among: new Set(agents), roots: new Set([1n]) },
        ],
      ]),
    });
  });

  it('writes nothing for a step that changes nothing', async () => {
    const base = memoryAgentState();
    let writes = 0;
    const counted: AgentStateStore = {
      read: () => base.read(),
      write: async (text) => {
        writes++;
        await base.write(text);
      },
    };
    const history = await CredentialHistory.open(counted);
    await history.reserve('node', 5, pick(1n, members('a', 'b')));
    await history.claimEpoch('node', 5, 'https://a.test');
    await history.claimAnonymous(['origin:https://a.test', 'node:node']);
    expect(writes).toBe(3);
    // The next purchase there: the same root and members, the same epoch and marks.
    await history.reserve('node', 5, pick(1n, members('a', 'b')));
    await history.claimEpoch('node', 5, 'https://a.test');
    await history.claimAnonymous(['origin:https://a.test', 'node:node']);
    await history.paid('node', 'https://a.test');
    await history.paid('node', 'https://a.test');
    expect(writes).toBe(4);
  });

  it('refuses an origin naming more node keys never paid than the bound, recording nothing', async () => {
    const history = CredentialHistory.inMemory();
    const origin = 'https://evil.test';
    for (let node = 0; node < MAX_UNPAID_NODES_PER_ORIGIN; node++)
      await history.claimEpoch(`throwaway${node}`, 5, origin);
    await expect(history.claimEpoch('throwaway-next', 5, origin)).rejects.toMatchObject({
      code: ErrorCode.LimitReached,
    });
    // Nothing recorded for the refused one: its epoch is not kept.
    await history.claimEpoch('throwaway-next', 4);
    // A node named before is still served; one paid no longer counts; other origins are apart.
    await history.claimEpoch('throwaway0', 5, origin);
    await history.paid('throwaway0', origin);
    await history.claimEpoch('paid-after', 5, origin);
    await expect(history.claimEpoch('one-more', 5, origin)).rejects.toMatchObject({
      code: ErrorCode.LimitReached,
    });
    await history.claimEpoch('one-more', 5, 'https://honest.test');
    // Out of the linking window, the unpaid ones no longer count.
    await history.claimEpoch('one-more', 5 + CREDENTIAL_LINK_EPOCHS, origin);
  });

  it('refuses to open a damaged file', async () => {
    const path = join(home, 'damaged.json');
    await writeFile(path, '{"kind":"agora402/credential-history","v":1,"shown":[{"scope":', { mode: 0o600 });
    await expect(CredentialHistory.open(fileAgentState(path))).rejects.toMatchObject({
      code: ErrorCode.InvalidJson,
    });
  });
});

describe('agent state stores', () => {
  it('replaces the document whole and keeps the old one when a write fails', async () => {
    const path = join(home, 'state.json');
    const store = fileAgentState(path);
    expect(await store.read()).toBeUndefined();
    await store.write('first');
    await store.write('second');
    expect(await readFile(path, 'utf8')).toBe('second');
    // A write that cannot complete (its directory is gone) is an IO error and leaves nothing behind.
    await expect(fileAgentState(join(home, 'missing', 'state.json')).write('x')).rejects.toMatchObject({
      code: ErrorCode.Io,
    });
    expect(await store.read()).toBe('second');
    const memory = memoryAgentState();
    await memory.write('kept');
    expect(await memory.read()).toBe('kept');
  });
});

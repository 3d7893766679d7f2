// The panel circuit: a juror's seat on a dispute panel (a 3-level tree of weight-1 leaves), its nullifier per scope,
// the sealed ballot bound. Proved with the fast prover, accepted by snarkjs's verifier and by ours.
import { WitnessCalculatorBuilder } from 'circom_runtime';
import * as snarkjs from 'snarkjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import { generateAgentKey, getPoseidon, zkIdentity } from '../../src/identity/index.js';
import { usingCurve } from '../../src/zk/curve-lifetime.js';
import {
  loadVoteArtifacts,
  MembershipTree,
  PANEL_LEVELS,
  type PanelProver,
  panelSignalsOf,
  releaseCurve,
  toField,
  Verifier,
  type VoteArtifacts,
  type VoteProof,
} from '../../src/zk/index.js';
import { panelArtifacts, panelZk } from '../fixtures/zk.js';
import { rejectedAgoraError } from '../helpers.js';

let artifacts: VoteArtifacts;
let prover: PanelProver;
let verifier: Verifier;
let tree: MembershipTree;
let valid: VoteProof & { nullifier: bigint };
const jurors = await Promise.all(Array.from({ length: 5 }, () => zkIdentity(generateAgentKey())));
const scope = toField('dispute-round', 'ab'.repeat(32));
const vote = toField('ballot', 'cd'.repeat(32));
const seat = (i: number) => ({ secret: (jurors[i] as (typeof jurors)[number]).secret, path: tree.path(i) });

beforeAll(async () => {
  artifacts = await panelArtifacts();
  ({ prover, verifier } = await panelZk());
  tree = await MembershipTree.build(
    jurors.map((j) => ({ commitment: j.commitment, weight: 1n })),
    PANEL_LEVELS,
  );
  valid = await prover.prove({ root: tree.root, scope, vote }, seat(2));
}, 120_000);

afterAll(async () => {
  await releaseCurve();
});

describe('panel seat proofs', () => {
  it('verify with our verifier and with snarkjs, signals [nullifier, root, scope, vote]', async () => {
    expect(valid.publicSignals).toEqual(panelSignalsOf({ root: tree.root, scope, vote }, valid.nullifier));
    expect(await verifier.verify(valid)).toBe(true);
    expect(
      await usingCurve(() =>
        snarkjs.groth16.verify(artifacts.verificationKey, valid.publicSignals, valid.proof),
      ),
    ).toBe(true);
  });

  it('give the nullifier Poseidon(scope, secret): one per juror and scope', async () => {
    const poseidon = await getPoseidon();
    expect(valid.nullifier).toBe(poseidon.hash([scope, (jurors[2] as (typeof jurors)[number]).secret]));
  });

  it('fail when any public signal changes, and under the vote circuit key', async () => {
    for (let i = 0; i < valid.publicSignals.length; i++) {
      const publicSignals = [...valid.publicSignals];
      publicSignals[i] = String(BigInt(publicSignals[i] as string) + 1n);
      expect(await verifier.verify({ ...valid, publicSignals }), `signal ${i}`).toBe(false);
    }
    expect(await verifier.verify({ ...valid, publicSignals: [...valid.publicSignals, '0', '0'] })).toBe(
      false,
    );
    await rejectedAgoraError(Verifier.loadPanel(await loadVoteArtifacts()), ErrorCode.InvalidArgument);
  });

  it('refuse to prove for a secret off the panel, a wrong path or another root', async () => {
    const outsider = await zkIdentity(generateAgentKey());
    const statement = { root: tree.root, scope, vote };
    await rejectedAgoraError(
      prover.prove(statement, { ...seat(2), secret: outsider.secret }),
      ErrorCode.InvalidProof,
    );
    await rejectedAgoraError(
      prover.prove(statement, { ...seat(2), path: tree.path(1) }),
      ErrorCode.InvalidProof,
    );
    await rejectedAgoraError(
      prover.prove({ ...statement, root: tree.root + 1n }, seat(2)),
      ErrorCode.InvalidProof,
    );
  });

  it('enforce the seat in the circuit itself: a witness off the panel fails a constraint', async () => {
    const calculator = await WitnessCalculatorBuilder(artifacts.wasm);
    const path = tree.path(2);
    const input = (secret: bigint) => ({
      root: tree.root.toString(),
      scope: scope.toString(),
      vote: vote.toString(),
      secret: secret.toString(),
      pathIndices: path.pathIndices.map(String),
      siblings: path.siblings.map((level) => level.map(String)),
    });
    await expect(
      calculator.calculateWTNSBin(input((jurors[2] as (typeof jurors)[number]).secret), 0),
    ).resolves.toBeDefined();
    await expect(calculator.calculateWTNSBin(input(5n), 0)).rejects.toThrow();
  });
});

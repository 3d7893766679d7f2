import { generateAgentKey, zkIdentity } from '../../src/identity/index.js';
import { ballotField, MembershipTree, toField, type VoteProof } from '../../src/zk/index.js';
import { voteZk } from '../fixtures/zk.js';

/** One valid vote proof (a single member of weight 100, one piece of 64) for `proposal`: the cheapest fixture. */
export async function oneVoteProof(proposal: string): Promise<VoteProof> {
  const { prover } = await voteZk();
  const identity = await zkIdentity(generateAgentKey());
  const tree = await MembershipTree.build([{ commitment: identity.commitment, weight: 100n }]);
  return prover.prove(
    {
      root: tree.root,
      scope: toField('proposal', proposal),
      vote: ballotField(proposal, 'for'),
      votingWeight: 64n,
      top: 6,
    },
    { secret: identity.secret, weight: 100n, path: tree.path(0), piece: 0n },
  );
}

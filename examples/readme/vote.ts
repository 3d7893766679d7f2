// The vote snippet of README.md, verbatim below the marker: compiled by `npm run typecheck` and, against the packed
// package, by scripts/check-consumer.sh; test/readme.test.ts keeps it equal to the README. Above the marker, what
// the snippet takes as given.
import type { AgentKey } from 'agora402/identity';
import type { Member, VoteProof } from 'agora402/zk';

declare const key: AgentKey;
declare const others: Member[];
declare const proposalId: string;
declare const manyProofs: VoteProof[];
// README snippet:
import { zkIdentity } from 'agora402/identity';
import { ballotField, MembershipTree, Prover, toField, Verifier } from 'agora402/zk';

const me = await zkIdentity(key);                                   // secret + Poseidon commitment
const tree = await MembershipTree.build([{ commitment: me.commitment, weight: 500n }, ...others]);
const scope = toField('proposal', proposalId);
const proof = await (await Prover.load()).prove(                   // one piece: 2^8 of the weight 500
  { root: tree.root, scope, vote: ballotField(proposalId, 'for'), votingWeight: 256n, top: 8 },
  { secret: me.secret, weight: 500n, path: tree.path(0), piece: 0n },
);                                                                  // proof.nullifier stops a second use
const verifier = await Verifier.load();
await verifier.verify(proof);                                       // true
await verifier.verifyBatch(manyProofs);                             // one verdict per proof, one multi-pairing

pragma circom 2.1.6;

include "circomlib/circuits/poseidon.circom";
include "quaternary.circom";

// A juror's seat on a dispute panel. The prover knows `secret` such that Poseidon(Poseidon(secret), 1) (the leaf of a
// weight-1 member, as the vote circuit's tree has it) is a leaf under `root`, a 4-ary tree of `levels` levels (3: 64
// seats, the largest panel being 23). It outputs `nullifier = Poseidon(scope, secret)`: one per juror and `scope` (a
// dispute and round), the vote circuit's nullifier for a weight-1 piece. The sealed ballot `vote` is bound in a
// constraint so a proof cannot be replayed with another ballot.
template PanelSeat(levels) {
    signal input root;
    signal input scope;
    signal input vote;
    signal input secret;
    signal input pathIndices[levels];
    signal input siblings[levels][3];
    signal output nullifier;

    component commitment = Poseidon(1);
    commitment.inputs[0] <== secret;
    component leaf = Poseidon(2);
    leaf.inputs[0] <== commitment.out;
    leaf.inputs[1] <== 1;

    component path[levels];
    for (var level = 0; level < levels; level++) {
        path[level] = QuaternaryLevel();
        path[level].node <== level == 0 ? leaf.out : path[level - 1].parent;
        path[level].index <== pathIndices[level];
        for (var k = 0; k < 3; k++) path[level].siblings[k] <== siblings[level][k];
    }
    root === path[levels - 1].parent;

    component nullifierHash = Poseidon(2);
    nullifierHash.inputs[0] <== scope;
    nullifierHash.inputs[1] <== secret;
    nullifier <== nullifierHash.out;

    signal voteSquare <== vote * vote;
}

component main {public [root, scope, vote]} = PanelSeat(3);

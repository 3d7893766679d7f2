pragma circom 2.1.0;

// Benchmark baseline only (npm run bench -- zk): the vote statement of ../vote.circom over a binary Poseidon tree of
// depth 20, the shape most membership circuits use. It is not part of the package and has no committed artifacts.
include "circomlib/circuits/poseidon.circom";
include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/comparators.circom";

template BinaryLevel() {
    signal input node;
    signal input sibling;
    signal input index;
    signal output parent;

    index * (1 - index) === 0;
    signal swap <== index * (sibling - node);
    component hash = Poseidon(2);
    hash.inputs[0] <== node + swap;
    hash.inputs[1] <== sibling - swap;
    parent <== hash.out;
}

template BinaryVote(levels) {
    signal input root;
    signal input scope;
    signal input vote;
    signal input votingWeight;
    signal input secret;
    signal input weight;
    signal input pathIndices[levels];
    signal input siblings[levels];
    signal output nullifier;

    component weightBits = Num2Bits(64);
    weightBits.in <== weight;
    component votingBits = Num2Bits(64);
    votingBits.in <== votingWeight;
    component enough = LessEqThan(64);
    enough.in[0] <== votingWeight;
    enough.in[1] <== weight;
    enough.out === 1;

    component commitment = Poseidon(1);
    commitment.inputs[0] <== secret;
    component leaf = Poseidon(2);
    leaf.inputs[0] <== commitment.out;
    leaf.inputs[1] <== weight;

    component path[levels];
    for (var level = 0; level < levels; level++) {
        path[level] = BinaryLevel();
        path[level].node <== level == 0 ? leaf.out : path[level - 1].parent;
        path[level].sibling <== siblings[level];
        path[level].index <== pathIndices[level];
    }
    root === path[levels - 1].parent;

    component nullifierHash = Poseidon(2);
    nullifierHash.inputs[0] <== scope;
    nullifierHash.inputs[1] <== secret;
    nullifier <== nullifierHash.out;

    signal voteSquare <== vote * vote;
}

component main {public [root, scope, vote, votingWeight]} = BinaryVote(20);

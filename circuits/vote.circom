pragma circom 2.1.6;

include "circomlib/circuits/poseidon.circom";
include "circomlib/circuits/comparators.circom";
include "circomlib/circuits/bitify.circom";

// One level of a 4-ary Merkle path: `node` sits at `index` (0..3) among its three `siblings`, given in order.
template QuaternaryLevel() {
    signal input node;
    signal input index;
    signal input siblings[3];
    signal output parent;

    // One-hot position from the two bits of the index (the bits also bound it to 0..3).
    component bits = Num2Bits(2);
    bits.in <== index;
    signal e[4];
    signal notB0 <== 1 - bits.out[0];
    signal notB1 <== 1 - bits.out[1];
    e[0] <== notB0 * notB1;
    e[1] <== bits.out[0] * notB1;
    e[2] <== notB0 * bits.out[1];
    e[3] <== bits.out[0] * bits.out[1];

    // children = siblings with `node` inserted at `index`.
    signal before01 <== e[0] + e[1];
    signal before012 <== before01 + e[2];
    signal after23 <== e[2] + e[3];
    signal c0a <== e[0] * node;
    signal c0b <== (1 - e[0]) * siblings[0];
    signal c1a <== e[0] * siblings[0];
    signal c1b <== e[1] * node;
    signal c1c <== after23 * siblings[1];
    signal c2a <== before01 * siblings[1];
    signal c2b <== e[2] * node;
    signal c2c <== e[3] * siblings[2];
    signal c3a <== before012 * siblings[2];
    signal c3b <== e[3] * node;

    component hash = Poseidon(4);
    hash.inputs[0] <== c0a + c0b;
    hash.inputs[1] <== c1a + c1b + c1c;
    hash.inputs[2] <== c2a + c2b + c2c;
    hash.inputs[3] <== c3a + c3b;
    parent <== hash.out;
}

// Anonymous weighted vote: the prover knows `secret` and `weight` such that Poseidon(Poseidon(secret), weight) is a
// leaf under `root`, `votingWeight <= weight < 2^64`, and it outputs `nullifier = Poseidon(scope, secret)`.
template Vote(levels) {
    signal input root;
    signal input scope;
    signal input vote;
    signal input votingWeight;
    signal input secret;
    signal input weight;
    signal input pathIndices[levels];
    signal input siblings[levels][3];
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

    // The ballot hash takes part in a constraint, so a proof cannot be replayed with another vote.
    signal voteSquare <== vote * vote;
}

component main {public [root, scope, vote, votingWeight]} = Vote(10);

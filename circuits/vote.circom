pragma circom 2.1.6;

include "circomlib/circuits/poseidon.circom";
include "circomlib/circuits/comparators.circom";
include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/multiplexer.circom";

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

// One piece of an anonymous weighted vote. The voter's weight splits canonically into `weight >> top` pieces of
// 2^top (told apart by a private index below 2^12) and one piece per set bit of `weight mod 2^top`, with
// `top <= 31`. The prover knows `secret` and `weight < 2^64` such that Poseidon(Poseidon(secret), weight) is a leaf
// under `root`, and a piece of that split: `votingWeight = 2^exponent` with either `exponent = top` and
// `(piece + 1) * 2^top <= weight`, or `exponent < top`, bit `exponent` of `weight` set and `piece = 0`. It outputs
// `nullifier = Poseidon(scope + piece * 32 + exponent, secret)`: one per piece, so the pieces a voter can count add up
// to its weight at most, whatever it combines.
template Vote(levels) {
    signal input root;
    signal input scope;
    signal input vote;
    signal input votingWeight;
    signal input top;
    signal input secret;
    signal input weight;
    signal input exponent;
    signal input piece;
    signal input pathIndices[levels];
    signal input siblings[levels][3];
    signal output nullifier;

    component weightBits = Num2Bits(64);
    weightBits.in <== weight;

    // One-hot exponents: a value outside 0..31 leaves every output 0 and fails `success`.
    component exponentOf = Decoder(32);
    exponentOf.inp <== exponent;
    exponentOf.success === 1;
    component topOf = Decoder(32);
    topOf.inp <== top;
    topOf.success === 1;

    // exponent <= top, and whether the piece is of the top denomination.
    component order = Num2Bits(5);
    order.in <== top - exponent;
    component isTop = IsEqual();
    isTop.in[0] <== exponent;
    isTop.in[1] <== top;

    var denomination = 0;
    var topWeight = 0;
    var bit = 0;
    signal selectedBit[32];
    for (var i = 0; i < 32; i++) {
        denomination += exponentOf.out[i] * (1 << i);
        topWeight += topOf.out[i] * (1 << i);
        selectedBit[i] <== exponentOf.out[i] * weightBits.out[i];
        bit += selectedBit[i];
    }
    votingWeight === denomination;

    // A top piece: (piece + 1) * 2^top <= weight, so its index is below weight >> top. Both sides stay below 2^64
    // (piece < 2^12, 2^top <= 2^31, weight < 2^64), as LessEqThan(64) needs.
    component pieceBits = Num2Bits(12);
    pieceBits.in <== piece;
    signal reach <== (piece + 1) * topWeight;
    component fits = LessEqThan(64);
    fits.in[0] <== reach;
    fits.in[1] <== weight;
    isTop.out * (1 - fits.out) === 0;
    // A remainder piece: a set bit of the weight below the top, index 0.
    (1 - isTop.out) * (1 - bit) === 0;
    (1 - isTop.out) * piece === 0;

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

    // The piece number (below 2^17) shifts the scope: distinct pieces of one proposal hash distinct inputs, and
    // scopes are uniform field elements, so no two proposals' shifted scopes meet.
    component nullifierHash = Poseidon(2);
    nullifierHash.inputs[0] <== scope + piece * 32 + exponent;
    nullifierHash.inputs[1] <== secret;
    nullifier <== nullifierHash.out;

    // The ballot hash takes part in a constraint, so a proof cannot be replayed with another vote.
    signal voteSquare <== vote * vote;
}

component main {public [root, scope, vote, votingWeight, top]} = Vote(10);

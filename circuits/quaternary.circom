pragma circom 2.1.6;

include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/poseidon.circom";

// The vote circuit (vote.circom) holds the same template inline: moving it here would change its compiled wasm,
// and with it the committed artifacts of every deployed ceremony. Keep the two in step.

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

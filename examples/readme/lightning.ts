// The Lightning snippet of README.md, verbatim below the marker: compiled by `npm run typecheck` and, against the packed
// package, by scripts/check-consumer.sh; test/readme.test.ts keeps it equal to the README. Above the marker, what
// the snippet takes as given.
// README snippet:
import { SimNetwork } from 'agora402/lightning';

const network = new SimNetwork({ seed: 'demo' });
const alice = network.createNode('alice');
const hub = network.createNode('hub');
const bob = network.createNode('bob');
network.openChannel(alice, hub, { capacitySat: 1_000_000 });
network.openChannel(hub, bob, { capacitySat: 1_000_000 });
const invoice = await bob.createInvoice({ amountMsat: 21_000, description: 'one API call' });
const { preimage, feeMsat } = await alice.payInvoice(invoice.paymentRequest);   // real BOLT 11, real preimage

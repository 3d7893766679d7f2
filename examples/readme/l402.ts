// The L402 snippet of README.md, verbatim below the marker: compiled by `npm run typecheck` and, against the packed
// package, by scripts/check-consumer.sh; test/readme.test.ts keeps it equal to the README. Above the marker, what
// the snippet takes as given.
import type { AgentKey } from 'agora402/identity';
import type { Ledger } from 'agora402/ledger';
import type { LightningBackend } from 'agora402/lightning';

declare const alice: LightningBackend;
declare const bob: LightningBackend;
declare const aliceKey: AgentKey;
declare const bobKey: AgentKey;
declare const ledger: Ledger;
// README snippet:
import { createServer } from 'node:http';
import { L402Provider, l402NodeHandler, l402Fetch, LedgerRootKeyStore } from 'agora402/l402';
import { LiveReputation } from 'agora402/reputation';
import { governedState } from 'agora402';

const provider = new L402Provider({
  lightning: bob, rootKeys: new LedgerRootKeyStore(ledger), identity: bobKey,
  service: 'weather', price: () => 2_000,                      // msat, a function of the request
  policy: { minReputation: 10, blacklist: true },              // agora_* caveats
  reputation: await LiveReputation.follow(ledger),             // EigenTrust, refreshed from the ledger as it grows
  blacklist: await governedState(ledger, Math.floor(Date.now() / 1000)),  // decisions in effect (anchored)
});
createServer(l402NodeHandler(provider, (req, res, paid) => res.end('sunny'))).listen(8080);

const response = await l402Fetch('http://127.0.0.1:8080/forecast', {}, {
  lightning: alice, maxPriceMsat: 5_000, identity: aliceKey,
  onReceipt: (receipt, event) => ledger.append(event),         // a signed receipt, verified
});

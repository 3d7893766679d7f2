// The stake snippet of README.md, verbatim below the marker: compiled by `npm run typecheck` and, against the packed
// package, by scripts/check-consumer.sh; test/readme.test.ts keeps it equal to the README. Above the marker, what
// the snippet takes as given.
import type { AgentKey } from 'agora402/identity';
import type { Ledger } from 'agora402/ledger';
import type { LightningBackend } from 'agora402/lightning';

declare const key: AgentKey;
declare const custodianKey: AgentKey;
declare const custodianNode: LightningBackend;
declare const myNode: LightningBackend;
declare const ledger: Ledger;
declare const until: number;
// README snippet:
import { lockStake, StakeCustodian } from 'agora402/stake';

const custodian = await StakeCustodian.open({ key: custodianKey, backend: custodianNode, ledger });
const stake = await lockStake({ key, backend: myNode, custodian, amountSat: 50_000, until, sequence: 0 });
await custodian.releaseDue();                                       // after `until`: the hold is canceled
await stake.ended;                                                  // 'returned'

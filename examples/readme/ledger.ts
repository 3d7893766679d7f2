// The ledger snippet of README.md, verbatim below the marker: compiled by `npm run typecheck` and, against the packed
// package, by scripts/check-consumer.sh; test/readme.test.ts keeps it equal to the README. Above the marker, what
// the snippet takes as given.
// README snippet:
import { canonicalJson, taggedHash } from 'agora402/core';
import { generateAgentKey, signObject, verifyObject } from 'agora402/identity';
import { Ledger, EventRegistry, agentRegisteredType, createAgentRegistration } from 'agora402/ledger';

const key = generateAgentKey();
const ledger = await Ledger.open('./ledger', { registry: new EventRegistry([agentRegisteredType]) });
await ledger.append(await createAgentRegistration(key, { name: 'alice' })); // verified, then stored
for await (const { id, event } of ledger.byIndex('author', key.id)) console.log(id, event.type);
await ledger.close();

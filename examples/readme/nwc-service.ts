// The NWC wallet service snippet of README.md, verbatim below the marker: compiled by `npm run typecheck` and,
// against the packed package, by scripts/check-consumer.sh; test/readme.test.ts keeps it equal to the README. Above
// the marker, what the snippet takes as given.
import type { LightningBackend } from 'agora402/lightning';

declare const node: LightningBackend;
// README snippet:
import { NwcWalletService } from 'agora402/lightning';

const service = await NwcWalletService.start({ relays: ['wss://relay.example'], backend: node });
const uri = service.connect(); // one per agent: it carries the agent's secret

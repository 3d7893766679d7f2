// The NWC client snippet of README.md, verbatim below the marker: compiled by `npm run typecheck` and, against the
// packed package, by scripts/check-consumer.sh; test/readme.test.ts keeps it equal to the README.
// README snippet:
import { l402Fetch } from 'agora402/l402';
import { NwcBackend } from 'agora402/lightning';

const wallet = new NwcBackend(process.env.AGORA_NWC_URI as string);
const response = await l402Fetch('https://api.example/forecast', {}, { lightning: wallet, maxPriceMsat: 10_000 });

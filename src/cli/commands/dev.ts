import { type Command, wholeNumber } from '../command.js';
import { serveDevLightning } from '../dev-lightning.js';
import { write } from '../io.js';

export const devLightningCommand: Command = {
  name: 'dev lightning',
  summary:
    'serve an in-memory Lightning test network to other agora commands (--lightning-dev), no LND needed',
  usage: '[--port N] [--host H] [--json]',
  examples: [
    'agora dev lightning --port 9736 &',
    'agora stake serve --home ./carol --lightning-dev http://127.0.0.1:9736/carol',
    'agora stake lock --home ./alice --custodian http://127.0.0.1:8402 --amount 20000 --until +7d --lightning-dev http://127.0.0.1:9736/alice',
  ],
  help: [
    ['--port N', 'port to listen on (default 9736; 0 picks one)'],
    ['--host H', 'address to listen on (default 127.0.0.1)'],
    ['--json', 'print the address as JSON'],
  ],
  options: { port: { type: 'string' }, host: { type: 'string' }, json: { type: 'boolean' } },
  async run({ io, values }) {
    const port = wholeNumber(values.port, '--port', 9736, 65_535);
    const host = typeof values.host === 'string' ? values.host : '127.0.0.1';
    const served = await serveDevLightning({ port, host });
    try {
      await write(
        io.stdout,
        values.json
          ? `${JSON.stringify({ url: served.url, network: 'regtest' })}\n`
          : `dev Lightning network (regtest, in memory) at ${served.url}\nuse a node of it with --lightning-dev ${served.url}/<name>\n`,
      );
      // Until the process is told to stop (SIGINT, SIGTERM).
      await new Promise<void>((resolve) => {
        if (io.signal?.aborted) resolve();
        io.signal?.addEventListener('abort', () => resolve(), { once: true });
      });
    } finally {
      await served.close();
    }
  },
};

// Review of `agora dev lightning` (POST /<node>/<method>): its server appended every chunk of a request to one
// string before parsing it, with no limit, so any local caller made it buffer gigabytes. Fixed: it reads through
// `readBoundedBody` (64 KiB), answers 413 BODY_TOO_LARGE and closes the connection without reading the rest.
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveDevLightning } from '../../src/cli/dev-lightning.js';
import { ErrorCode } from '../../src/core/index.js';

let network: Awaited<ReturnType<typeof serveDevLightning>>;
beforeAll(async () => {
  network = await serveDevLightning({ port: 0, host: '127.0.0.1' });
});
afterAll(() => network.close());

describe('an endless argument list sent to the dev Lightning network', () => {
  it('is answered 413 and the connection closed long before the gigabyte is sent', async () => {
    const url = new URL(`${network.url}/alice/info`);
    let status = 0;
    let text = '';
    let written = 0;
    const limit = 1024 * 1024 * 1024;
    // Ends when the connection does: the server hanging up is what stops the writes.
    await new Promise<void>((resolve) => {
      const req = httpRequest({ host: url.hostname, port: url.port, method: 'POST', path: url.pathname });
      req.on('response', (res) => {
        status = res.statusCode ?? 0;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
      });
      req.on('error', () => req.destroy()); // EPIPE / ECONNRESET once the server hangs up
      req.on('close', resolve);
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => {
        while (written < limit && !req.destroyed) {
          written += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        if (!req.destroyed) req.end();
      };
      pump();
    });
    expect(status).toBe(413);
    expect(JSON.parse(text) as unknown).toMatchObject({ error: { code: ErrorCode.BodyTooLarge } });
    expect(written).toBeLessThan(limit);
  });
});

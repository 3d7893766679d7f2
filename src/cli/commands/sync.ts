import { publicationTimes } from '../../anchor/index.js';
import { AgoraError, ErrorCode, isAgoraError, systemClock, unixSeconds } from '../../core/index.js';
import { redatePiece } from '../../governance/index.js';
import { followRelay, publishToRelay, publishWhenDue, pullFromRelay } from '../../ledger/index.js';
import type { Command } from '../command.js';
import { HOME_HELP, loadHomeKey, withHomeLedger } from '../home.js';
import { write } from '../io.js';
import { isoTime, timeOption } from '../time.js';

export const syncCommand: Command = {
  name: 'sync',
  summary: 'exchange ledger events with Nostr relays: publish what they lack, import (verified) what is new',
  usage: '--relay URL [--relay URL ...] [--since TIME] [--follow] [--json]',
  examples: [
    'agora sync --relay wss://relay.example.com',
    'agora sync --relay ws://127.0.0.1:7000 --since -1d --follow',
  ],
  help: [
    HOME_HELP,
    ['--relay URL', 'a Nostr relay (ws:// or wss://); repeatable'],
    [
      '--since TIME',
      'pull events created since then (unix seconds, ISO 8601 or -1d) (default: where the last pull from that relay ended)',
    ],
    [
      '--follow',
      'then keep importing new events as relays receive them, and publish each of your held vote pieces at its own time, until interrupted (retries with backoff)',
    ],
    ['--json', 'print one JSON line per relay'],
  ],
  options: {
    relay: { type: 'string', multiple: true },
    since: { type: 'string' },
    follow: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  async run({ io, home, values }) {
    const relays = (values.relay as string[] | undefined) ?? [];
    if (relays.length === 0) throw new AgoraError(ErrorCode.Usage, '--relay is required');
    for (const relay of relays)
      if (!/^wss?:\/\//.test(relay))
        throw new AgoraError(ErrorCode.Usage, `${relay} is not a ws:// or wss:// URL`);
    const since =
      values.since === undefined
        ? undefined
        : timeOption(values.since, '--since', unixSeconds(systemClock), 0);
    const key = await loadHomeKey(home);
    // Only this agent's own events are signed here; others' go out as they were received.
    const keyFor = (author: string) => (author === key.id ? key : undefined);
    let failures = 0;
    await withHomeLedger(home, async (ledger) => {
      // Vote pieces past their time, or kept back from a publication of this agent's signed events, are dated afresh
      // over what is left of their window (dated by publication, as the tally reads it), each then sent alone.
      const redate = redatePiece(ledger, {
        publication: await publicationTimes(ledger, unixSeconds(systemClock)),
      });
      for (const relay of relays) {
        try {
          const published = await publishToRelay(ledger, relay, { keyFor, redate });
          const pulled = await pullFromRelay(ledger, relay, since === undefined ? {} : { since });
          await write(
            io.stdout,
            values.json
              ? `${JSON.stringify({ relay, ...published, ...pulled })}\n`
              : `${relay}: published ${published.published}${published.held > 0 ? ` (${published.held} vote pieces held until their times, the next at ${isoTime(published.nextAt as number)})` : ''}, imported ${pulled.imported} of ${pulled.received} (${pulled.duplicates} known, ${pulled.invalid} invalid, dropped)\n`,
          );
        } catch (error) {
          // One relay down does not stop the others; the command fails at the end.
          if (!isAgoraError(error, ErrorCode.BackendUnreachable)) throw error;
          failures++;
          await write(io.stderr, `${relay}: ${error.message}\n`);
        }
      }
      if (values.follow !== true) return;
      const signal = io.signal ?? new AbortController().signal;
      // Held vote pieces go out at their own times, one publication each, while following.
      const publications = relays.map((relay) =>
        publishWhenDue(ledger, relay, {
          signal,
          keyFor,
          redate,
          onPublish: ({ published }) => {
            if (published === 0) return;
            void write(
              io.stdout,
              values.json
                ? `${JSON.stringify({ relay, published })}\n`
                : `${relay}: published ${published}\n`,
            );
          },
          onError: (error) => void write(io.stderr, `${relay}: ${(error as Error).message}; retrying\n`),
        }),
      );
      await Promise.all([
        ...publications,
        ...relays.map((relay) =>
          followRelay(ledger, relay, {
            signal,
            onImport: ({ imported, invalid }) => {
              if (imported + invalid === 0) return;
              void write(
                io.stdout,
                values.json
                  ? `${JSON.stringify({ relay, imported, invalid })}\n`
                  : `${relay}: imported ${imported}${invalid > 0 ? `, ${invalid} invalid, dropped` : ''}\n`,
              );
            },
            onError: (error) => void write(io.stderr, `${relay}: ${(error as Error).message}; retrying\n`),
          }),
        ),
      ]);
    });
    if (failures === relays.length && values.follow !== true)
      throw new AgoraError(ErrorCode.BackendUnreachable, 'no relay could be reached');
  },
};

import { AgoraError, ErrorCode } from '../../core/index.js';
import { type ReceiptBody, rateReceipt } from '../../receipts/index.js';
import { type Command, idArgument } from '../command.js';
import { HOME_HELP, loadHomeKey, withHomeLedger } from '../home.js';
import { write } from '../io.js';

export const rateCommand: Command = {
  name: 'rate',
  summary: 'rate a service you paid for, from its receipt: -2 (garbage, fraud) to 2 (excellent)',
  usage: '<receipt id> <-2..2> [--home DIR] [--json]',
  examples: ['agora rate <receipt id> 2', 'agora rate <receipt id> -2 --json'],
  help: [HOME_HELP, ['--json', 'print {rating, receipt, value} as JSON']],
  options: { json: { type: 'boolean' } },
  positionals: { min: 2, max: 2 },
  async run({ io, home, values, positionals }) {
    const receiptId = idArgument(positionals[0], 'a receipt');
    const text = positionals[1] as string;
    if (!/^[+-]?[0-2]$/.test(text))
      throw new AgoraError(
        ErrorCode.Usage,
        `a rating is a whole number from -2 to 2, not ${JSON.stringify(text)}`,
      );
    const value = Number(text);
    const key = await loadHomeKey(home);
    await withHomeLedger(home, async (ledger) => {
      const stored = (await ledger.get(receiptId))?.event;
      if (stored === undefined || stored.type !== 'receipt')
        throw new AgoraError(ErrorCode.NotFound, `no receipt ${receiptId} in this ledger`);
      if ((stored.body as unknown as ReceiptBody).payer !== key.id)
        throw new AgoraError(
          ErrorCode.InvalidState,
          `receipt ${receiptId} is not yours: only its payer rates it`,
        );
      for await (const { event } of ledger.byIndex('receipt', receiptId))
        if (event.type === 'receipt.rating' && event.author === key.id)
          throw new AgoraError(ErrorCode.AlreadyExists, `you rated receipt ${receiptId} already`);
      const { id } = await ledger.append(rateReceipt(key, receiptId, value));
      await write(
        io.stdout,
        values.json
          ? `${JSON.stringify({ rating: id, receipt: receiptId, value })}\n`
          : `rated ${receiptId} ${value} (${id})\n`,
      );
    });
  },
};

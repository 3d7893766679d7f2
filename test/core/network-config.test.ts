import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  anchorConfirmations,
  checkNetworkConfig,
  DEFAULT_DECISION_TIME,
  decisionTimeBounds,
  ErrorCode,
  isAgoraError,
  networkWitnesses,
  witnessQuorum,
} from '../../src/core/index.js';

const ID = 'ab'.repeat(32);

describe('checkNetworkConfig', () => {
  it('returns a canonical configuration: ids sorted and unique, bounds merged with the defaults', () => {
    const config = checkNetworkConfig({
      chain: 'bitcoin',
      seeds: ['cd'.repeat(32), ID, ID],
      time: { anchorGrace: 600 },
    });
    expect(config).toEqual({ chain: 'bitcoin', seeds: [ID, 'cd'.repeat(32)], time: { anchorGrace: 600 } });
    expect(decisionTimeBounds(config)).toEqual({ ...DEFAULT_DECISION_TIME, anchorGrace: 600 });
    expect(decisionTimeBounds(undefined)).toEqual(DEFAULT_DECISION_TIME);
  });

  it('asks an anchor for 6 confirmations on the public chains, 1 on regtest, unless configured', () => {
    expect(anchorConfirmations(checkNetworkConfig({ chain: 'bitcoin' }))).toBe(6);
    expect(anchorConfirmations(checkNetworkConfig({ chain: 'signet' }))).toBe(6);
    expect(anchorConfirmations(checkNetworkConfig({ chain: 'regtest' }))).toBe(1);
    const config = checkNetworkConfig({ chain: 'bitcoin', confirmations: 3 });
    expect(config).toEqual({ chain: 'bitcoin', confirmations: 3 });
    expect(anchorConfirmations(config)).toBe(3);
  });

  it('takes the publication witnesses it names, else its custodians and seeds, with a quorum of 1 by default', () => {
    const CD = 'cd'.repeat(32);
    expect(
      networkWitnesses(checkNetworkConfig({ chain: 'regtest', seeds: [CD], custodians: [ID, CD] })),
    ).toEqual([ID, CD]);
    const named = checkNetworkConfig({
      chain: 'bitcoin',
      seeds: [CD],
      witnesses: [CD, ID],
      witnessQuorum: 2,
    });
    expect(named).toMatchObject({ witnesses: [ID, CD], witnessQuorum: 2 });
    expect(networkWitnesses(named)).toEqual([ID, CD]);
    expect(witnessQuorum(named)).toBe(2);
    expect(networkWitnesses(checkNetworkConfig({ chain: 'regtest' }))).toEqual([]);
    expect(witnessQuorum(undefined)).toBe(1);
  });

  it.each([
    [{ chain: 'regtest', witnesses: [] }, /witnesses lists 1/],
    [{ chain: 'regtest', witnesses: ['x'] }, /not an agent id/],
    [{ chain: 'regtest', witnessQuorum: 0 }, /witnessQuorum is 1/],
    [{ chain: 'regtest', witnessQuorum: 1.5 }, /witnessQuorum is 1/],
    [{ chain: 'litecoin' }, /chain/],
    [{ chain: 'regtest', seeds: [] }, /seeds lists 1/],
    [{ chain: 'regtest', seeds: ['AB'.repeat(32)] }, /not an agent id/],
    [{ chain: 'regtest', custodians: [ID.slice(2)] }, /not an agent id/],
    [{ chain: 'regtest', time: { maxWindow: 0 } }, /maxWindow/],
    [{ chain: 'regtest', time: { maxWindow: 1.5 } }, /maxWindow/],
    [{ chain: 'regtest', time: { soon: 1 } }, /time is/],
    [{ chain: 'regtest', extra: true }, /unknown field extra/],
    [{ chain: 'regtest', confirmations: 0 }, /confirmations is 1 to 100/],
    [{ chain: 'regtest', confirmations: 101 }, /confirmations is 1 to 100/],
    [{ chain: 'regtest', confirmations: '6' }, /confirmations is 1 to 100/],
    [[], /an object/],
  ])('refuses %j', (value, message) => {
    expect(() => checkNetworkConfig(value)).toThrow(message);
  });

  it('either refuses any JSON with INVALID_ARGUMENT or returns a configuration it accepts again unchanged', () => {
    const config = fc.record(
      {
        chain: fc.constantFrom('bitcoin', 'regtest', 'signet', 'testnet', 'mainnet', 1),
        seeds: fc.array(
          fc.oneof(
            fc.constant(ID),
            fc.string({ unit: fc.constantFrom(...'0123456789abcdefA'), minLength: 62, maxLength: 66 }),
          ),
          {
            maxLength: 3,
          },
        ),
        custodians: fc.anything(),
        time: fc.dictionary(
          fc.constantFrom('maxSnapshotAge', 'maxWindow', 'anchorGrace', 'other'),
          fc.integer(),
        ),
        confirmations: fc.oneof(fc.integer({ min: -1, max: 102 }), fc.double()),
        witnesses: fc.oneof(fc.constant([ID]), fc.anything()),
        witnessQuorum: fc.oneof(fc.integer({ min: -1, max: 1_001 }), fc.double()),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(config, fc.jsonValue()), (value) => {
        let checked: ReturnType<typeof checkNetworkConfig>;
        try {
          checked = checkNetworkConfig(value);
        } catch (error) {
          expect(isAgoraError(error) && error.code === ErrorCode.InvalidArgument).toBe(true);
          return;
        }
        expect(checkNetworkConfig(JSON.parse(JSON.stringify(checked)))).toEqual(checked);
      }),
    );
  });
});

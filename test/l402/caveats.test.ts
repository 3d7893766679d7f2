import { describe, expect, it } from 'vitest';
import { type CaveatContext, checkCaveats } from '../../src/l402/index.js';

const base: CaveatContext = {
  service: 'weather',
  now: 1_800_000_000,
  reputation: { score: (id) => (id === 'good' ? 50 : 5) },
  blacklist: { has: (id) => id === 'mallory' },
};

describe('caveats', () => {
  it('accept a token whose caveats all hold, ignoring other services', async () => {
    const caveats = [
      'services=weather:0,similarity:1',
      'weather_capabilities=forecast',
      'weather_valid_until=1900000000',
      'similarity_valid_until=1',
    ];
    expect(await checkCaveats(caveats, { ...base, capability: 'forecast' })).toBeUndefined();
  });

  it.each([
    [['services=similarity:0'], 'does not grant service weather'],
    [['services=weather:0', 'services=weather:0,similarity:0'], 'widens'],
    [['weather_capabilities=forecast', 'weather_capabilities=forecast,admin'], 'widens'],
    [['weather_capabilities=history'], 'capability forecast'],
    [['weather_valid_until=1800000000'], 'expired'],
    [['weather_valid_until=1900000000', 'weather_valid_until=1950000000'], 'widens'],
    [['agora_payer=alice'], 'bound to a payer'],
    [['agora_min_reputation=10', 'agora_min_reputation=5'], 'lowers'],
    [['agora_unknown=1'], 'unknown caveat'],
    [['agora_paid_msat=10', 'agora_paid_msat=20'], 'raises'],
    [['agora_paid_msat=1e3'], 'malformed'],
    [['no equals sign'], 'malformed'],
  ])('refuse %j with 401 (%s)', async (caveats, reason) => {
    const refusal = await checkCaveats(caveats, { ...base, capability: 'forecast' });
    expect(refusal?.status).toBe(401);
    expect(refusal?.reason).toMatch(new RegExp(reason));
  });

  it('bind a token to its payer', async () => {
    expect(await checkCaveats(['agora_payer=alice'], { ...base, payer: 'alice' })).toBeUndefined();
    expect((await checkCaveats(['agora_payer=alice'], { ...base, payer: 'bob' }))?.reason).toMatch(
      /another payer/,
    );
  });

  it('refuse low-reputation and blacklisted payers with 403', async () => {
    expect(await checkCaveats(['agora_min_reputation=10'], { ...base, payer: 'good' })).toBeUndefined();
    expect(await checkCaveats(['agora_min_reputation=10'], { ...base, payer: 'weak' })).toMatchObject({
      status: 403,
      reason: expect.stringMatching(/below the required 10/),
    });
    expect(await checkCaveats(['agora_blacklist=governance'], { ...base, payer: 'mallory' })).toMatchObject({
      status: 403,
      reason: expect.stringMatching(/blacklist/),
    });
    expect(await checkCaveats(['agora_blacklist=governance'], { ...base, payer: 'good' })).toBeUndefined();
    expect((await checkCaveats(['agora_blacklist=governance'], base))?.status).toBe(403);
  });

  it('refuse with 402 a request priced above what the token paid (caveat or settled amount, the lower)', async () => {
    expect(await checkCaveats(['agora_paid_msat=1000'], { ...base, priceMsat: 1_000 })).toBeUndefined();
    expect(await checkCaveats(['agora_paid_msat=1000'], { ...base, priceMsat: 1_001 })).toMatchObject({
      status: 402,
      reason: expect.stringMatching(/costs 1001 msat; the token paid for 1000/),
    });
    expect((await checkCaveats([], { ...base, priceMsat: 600, paidMsat: 500 }))?.status).toBe(402);
    expect(
      (await checkCaveats(['agora_paid_msat=900'], { ...base, priceMsat: 600, paidMsat: 500 }))?.status,
    ).toBe(402);
    expect(
      await checkCaveats(['agora_paid_msat=900', 'agora_paid_msat=700'], { ...base, priceMsat: 700 }),
    ).toBe(undefined);
  });
});

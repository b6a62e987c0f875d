import { createHash, randomBytes } from 'node:crypto';
import { sm3 as oneShotSm3 } from 'sm-crypto-v2';
import { describe, expect, it } from 'vitest';
import { Sm3 } from '../../src/core/store/sm3.js';

describe('streaming SM3', () => {
  it('matches the GB/T 32905 example "abc"', () => {
    expect(new Sm3().update(Buffer.from('abc')).digestHex()).toBe(
      '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0',
    );
  });

  it('agrees with OpenSSL and sm-crypto-v2 however the input is chunked', () => {
    for (const size of [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000, 70_001]) {
      const data = randomBytes(size);
      const expected = createHash('sm3').update(data).digest('hex');
      const hash = new Sm3();
      for (let offset = 0; offset < size; offset += 37) hash.update(data.subarray(offset, offset + 37));
      expect(hash.digestHex(), `size ${size}`).toBe(expected);
      expect(oneShotSm3(data)).toBe(expected);
    }
  });
});

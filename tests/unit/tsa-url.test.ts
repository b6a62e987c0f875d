import { describe, expect, it } from 'vitest';
import { publicTsaUrl, withoutCredentials } from '../../src/core/attest/tsa-names.js';

describe('TSA URLs written into evidence', () => {
  it('lose the user name and password a commercial TSA URL can carry', () => {
    expect(publicTsaUrl('https://alice:s3cret@tsa.example/tsr?x=1')).toBe('https://tsa.example/tsr?x=1');
    expect(publicTsaUrl('http://tsa.example/tsr')).toBe('http://tsa.example/tsr');
    expect(publicTsaUrl('not a url')).toBe('not a url');
  });

  it('are cleaned out of error messages before those are stored or shown', () => {
    const url = 'https://alice:s3cret@tsa.example/tsr';
    expect(withoutCredentials(`TSA ${url} is unreachable (ECONNREFUSED)`, url)).toBe('TSA https://tsa.example/tsr is unreachable (ECONNREFUSED)');
  });
});

// The COSE_Sign1 of a C2PA claim signature with its v2 time-stamp (C2PA 2.1 §14.5.2): the bytes a
// TSA's imprint covers, written out by hand from RFC 9052 §4.4 / RFC 9338 §3.3, and the padding.
import { describe, expect, it } from 'vitest';
import { decodeCbor } from '../../src/core/provenance/cbor-read.js';
import { assembleCoseSign1, timeStampedBytes } from '../../src/core/provenance/cose-sign1.js';

const signed = { protectedHeader: Buffer.from([0xa1, 0x01, 0x26]), signature: Buffer.alloc(64, 0xab) };

describe('the v2 time-stamp in a COSE_Sign1', () => {
  it('covers ["CounterSignature", protected, h\'\', bstr(CBOR bstr of the signature)]', () => {
    const expected = Buffer.concat([
      Buffer.from([0x84]), // array of 4
      Buffer.from([0x70]), Buffer.from('CounterSignature'), // text(16)
      Buffer.from([0x43, 0xa1, 0x01, 0x26]), // bstr(3): the protected header's bytes
      Buffer.from([0x40]), // bstr(0): external_aad
      Buffer.from([0x58, 0x42, 0x58, 0x40]), signed.signature, // bstr(66) holding bstr(64)
    ]);
    expect(timeStampedBytes(signed).equals(expected)).toBe(true);
  });

  it('puts the token under sigTst2 {tstTokens: [{val}]} and pads to exactly the reserved size', () => {
    const token = Buffer.alloc(1500, 7);
    const cose = assembleCoseSign1(signed, 4096, token);
    expect(cose.length).toBe(4096);
    const item = decodeCbor(cose) as { tag: number; value: [Uint8Array, Map<string, unknown>, null, Uint8Array] };
    expect(item.tag).toBe(18);
    const unprotected = item.value[1];
    expect([...unprotected.keys()]).toEqual(['sigTst2', 'pad']);
    const tokens = (unprotected.get('sigTst2') as Map<string, Map<string, Uint8Array>[]>).get('tstTokens')!;
    expect(Buffer.from(tokens[0]!.get('val')!).equals(token)).toBe(true);
    expect(assembleCoseSign1(signed, 4096).length).toBe(4096);
  });

  it('refuses a token that does not fit the reserved room (the signer then publishes without it)', () => {
    expect(() => assembleCoseSign1(signed, 4096, Buffer.alloc(4000))).toThrow(RangeError);
  });
});

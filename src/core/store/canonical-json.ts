import canonicalize from 'canonicalize';

/**
 * RFC 8785 (JSON Canonicalization Scheme) serialisation. Every hash in Proofline is taken over
 * these bytes, so two implementations that agree on RFC 8785 agree on every hash.
 */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) {
    throw new TypeError('canonicalJson: value cannot be represented as JSON (undefined or a function)');
  }
  return text;
}

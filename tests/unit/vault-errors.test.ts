// What the store said, as the vault.* code a person can act on. The errors are shaped as the AWS
// SDK v3 throws them (name, $metadata.httpStatusCode; a refused connection nested as Node's
// AggregateError under the SDK's error); the integration tests meet the real ones from Ceph.
import { describe, expect, it } from 'vitest';
import { scrub, vaultError, type VaultErrorContext } from '../../src/core/vault/vault-errors.js';

const context: VaultErrorContext = { vault: 's3://evidence/firm', endpoint: 'http://127.0.0.1:7480', bucket: 'evidence', key: 'firm/matters/m/s/a.zip', action: 'upload of a.zip' };

function sdkError(name: string, status?: number, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${name} message`), { name, ...(status && { $metadata: { httpStatusCode: status } }), ...extra });
}

describe('vault errors', () => {
  it('names each situation by its code, with the vault, bucket or key in the params', () => {
    const refused = Object.assign(new Error(''), { name: 'Error', cause: Object.assign(new AggregateError([Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:7480'), { code: 'ECONNREFUSED' })]), { code: 'ECONNREFUSED' }) });
    expect(vaultError(refused, context)).toMatchObject({ code: 'vault.unreachable', params: { reason: 'ECONNREFUSED at http://127.0.0.1:7480' } });
    expect(vaultError(sdkError('InvalidAccessKeyId', 403), context)).toMatchObject({ code: 'vault.denied', params: { reason: 'the access key is not known to the store' } });
    expect(vaultError(sdkError('SignatureDoesNotMatch', 403), context)).toMatchObject({ code: 'vault.denied' });
    expect(vaultError(sdkError('CredentialsProviderError'), context)).toMatchObject({ code: 'vault.no-credentials' });
    expect(vaultError(sdkError('NoSuchBucket', 404), context)).toMatchObject({ code: 'vault.bucket-missing', params: { bucket: 'evidence' } });
    expect(vaultError(sdkError('NoSuchKey', 404), context)).toMatchObject({ code: 'vault.not-found', params: { key: context.key } });
    expect(vaultError(sdkError('NotFound', 404), context)).toMatchObject({ code: 'vault.not-found' });
    expect(vaultError(sdkError('InternalError', 500), context)).toMatchObject({ code: 'vault.failed' });
    expect(vaultError(sdkError('AbortError'), context)).toMatchObject({ code: 'operation.cancelled' });
  });

  it('says AccessDenied as Object Lock refusing where the lock guards the action, else as missing permission', () => {
    expect(vaultError(sdkError('AccessDenied', 403), { ...context, action: 'set the retention', lockGuarded: true })).toMatchObject({ code: 'vault.refused', params: { key: context.key } });
    expect(vaultError(sdkError('AccessDenied', 403), context)).toMatchObject({ code: 'vault.denied' });
  });

  it('never carries a credential of the environment in its message', () => {
    const env = { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEKEYID0001', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
    expect(scrub('The AWS Access Key Id AKIAEXAMPLEKEYID0001 you provided; secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', env)).toBe('The AWS Access Key Id [credential] you provided; secret [credential]');
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      const error = vaultError(sdkError('InternalError', 500, { message: 'key AKIAEXAMPLEKEYID0001 broke' }), context);
      expect(error.message).not.toContain('AKIAEXAMPLEKEYID0001');
      expect(JSON.stringify(error.params)).not.toContain('AKIAEXAMPLEKEYID0001');
    } finally {
      for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
    }
  });
});

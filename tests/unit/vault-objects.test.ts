// The vault's layout (src/core/vault/vault-context.ts): where an archive's key puts it, and how
// its metadata reads back (the title percent-encoded, a fleet job's fields), without a store.
import { describe, expect, it } from 'vitest';
import type { VaultContext } from '../../src/core/vault/vault-context.js';
import { archiveKey, archiveView, deviceKey, matterOf } from '../../src/core/vault/vault-objects.js';

const vault = { location: { bucket: 'evidence', prefix: 'firm/' } } as unknown as VaultContext;

describe('the vault layout', () => {
  it('keys an archive by matter and session, so two machines\' archives of one name stay apart', () => {
    expect(archiveKey(vault, 'acme', 'session-a', 'proofline-x.zip')).toBe('firm/matters/acme/session-a/proofline-x.zip');
    expect(archiveKey(vault, 'acme', 'session-b', 'proofline-x.zip')).not.toBe(archiveKey(vault, 'acme', 'session-a', 'proofline-x.zip'));
    expect(deviceKey(vault, 'ab12')).toBe('firm/devices/ab12.pem');
  });

  it('reads the matter back from a key, and none from a key outside the layout', () => {
    expect(matterOf(vault, 'firm/matters/acme/s/a.zip')).toBe('acme');
    expect(matterOf(vault, 'firm/devices/ab.pem')).toBeNull();
    expect(matterOf(vault, 'other/matters/acme/s/a.zip')).toBeNull();
    expect(matterOf(vault, 'firm/matters/a.zip')).toBeNull();
  });

  it('reads the metadata a push wrote: a Chinese title, the outcome, a fleet job', () => {
    const view = archiveView(vault, {
      key: 'firm/matters/acme/s1/a.zip',
      versionId: 'v1',
      bytes: 10,
      lastModified: null,
      sha256: 'a'.repeat(64),
      mode: 'COMPLIANCE',
      retainUntil: '2036-01-01T00:00:00.000Z',
      legalHold: false,
      metadata: { session: 's1', title: encodeURIComponent('海港海报 poster'), outcome: 'interrupted', device: 'd1', 'job-submission': 'sub-1', 'job-url': encodeURIComponent('https://example.com/a?b=1'), 'job-attempt': '2' },
    });
    expect(view).toMatchObject({ url: 's3://evidence/firm/matters/acme/s1/a.zip', matter: 'acme', sessionId: 's1', title: '海港海报 poster', outcome: 'interrupted', device: 'd1', job: { submission: 'sub-1', url: 'https://example.com/a?b=1', attempt: 2 } });
    expect(archiveView(vault, { ...view, sha256: null, metadata: { outcome: 'deleted' } } as never)).toMatchObject({ outcome: null, job: null, title: null });
  });
});

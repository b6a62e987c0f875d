import { describe, expect, it } from 'vitest';
import { assertTrusted, isTrustedSenderUrl, type TrustedRenderer } from '../../src/main/ipc-trust.js';

const built: TrustedRenderer = { kind: 'file', url: 'file:///opt/Proofline/out/renderer/index.html' };
const dev: TrustedRenderer = { kind: 'dev-server', origin: 'http://localhost:5173' };

describe('trusted IPC senders', () => {
  it('trusts the built renderer file, whatever its hash or query', () => {
    expect(isTrustedSenderUrl('file:///opt/Proofline/out/renderer/index.html', built)).toBe(true);
    expect(isTrustedSenderUrl('file:///opt/Proofline/out/renderer/index.html#/sessions', built)).toBe(true);
  });

  it('refuses any other local file, a web page, and garbage', () => {
    expect(isTrustedSenderUrl('file:///tmp/evil.html', built)).toBe(false);
    expect(isTrustedSenderUrl('file:///opt/Proofline/out/renderer/index.html.evil', built)).toBe(false);
    expect(isTrustedSenderUrl('https://example.com/opt/Proofline/out/renderer/index.html', built)).toBe(false);
    expect(isTrustedSenderUrl('not a url', built)).toBe(false);
    expect(isTrustedSenderUrl('', built)).toBe(false);
  });

  it('trusts the dev server by origin only', () => {
    expect(isTrustedSenderUrl('http://localhost:5173/src/main.tsx', dev)).toBe(true);
    expect(isTrustedSenderUrl('http://localhost:5174/', dev)).toBe(false);
    expect(isTrustedSenderUrl('http://localhost.evil.com:5173/', dev)).toBe(false);
  });

  it('rejects a destroyed frame and an iframe even at a trusted URL, naming the channel', () => {
    const top = { url: built.kind === 'file' ? built.url : '', parent: null };
    const frame = (f: object | null) => ({ senderFrame: f }) as Parameters<typeof assertTrusted>[0];
    expect(() => assertTrusted(frame(top), 'sessions:list', built)).not.toThrow();
    expect(() => assertTrusted(frame(null), 'sessions:list', built)).toThrow(
      'Refused IPC "sessions:list" from a frame that no longer exists',
    );
    expect(() => assertTrusted(frame({ ...top, parent: top }), 'sessions:list', built)).toThrow(
      /Refused IPC "sessions:list"/,
    );
  });
});

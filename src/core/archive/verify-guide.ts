import type { SessionSummary } from '../../shared/domain.js';
import { APP_NAME, APP_VERSION } from '../../shared/version.js';
import * as layout from './bag-layout.js';
import { renewalSection, sm2Section, waczSection } from './verify-guide-sections.js';
import { TOLERANCE_SECONDS } from './verify-time.js';

const SEAL_WINDOW_SECONDS = TOLERANCE_SECONDS;

export interface VerifyGuideInput {
  readonly session: SessionSummary;
  readonly checkpoints: readonly number[];
  readonly tokens: readonly { subject: string; token: string; tsa: string }[];
  readonly tsaChains: readonly string[];
  /** The tokens signed with SM2 (GM/T 0033), which OpenSSL 3.0's `ts -verify` cannot check. */
  readonly sm2Tokens?: readonly string[];
}

/**
 * proofline/VERIFY.md: the exact commands that check this archive with standard tools only
 * (coreutils, OpenSSL 3, Python 3), so that a lawyer or a court expert need not trust Proofline.
 */
export function renderVerifyGuide(input: VerifyGuideInput): string {
  const { session } = input;
  const untrusted = input.tsaChains.length > 0 ? ` -untrusted ${input.tsaChains[0]}` : '';
  const lines: string[] = [];
  const add = (...more: string[]): void => void lines.push(...more);
  add(
    `# Verifying this evidence archive without ${APP_NAME}`,
    '',
    `Session \`${session.id}\` (${session.kind}), "${session.title.replace(/[\r\n]+/g, ' ')}",`,
    `created ${session.createdAt}, sealed ${session.sealedAt}. Written by ${APP_NAME} ${APP_VERSION}.`,
    '',
    'The archive is a BagIt 1.0 bag (RFC 8493). Unzip it and run every command from the folder that',
    'holds `bagit.txt`. `<TSA-ROOT.pem>` is the root certificate of the time-stamping authority, which',
    'you obtain from the TSA itself, never from this archive.',
    '',
    '```sh',
    'unzip -q archive.zip -d bag && cd bag',
    '```',
    '',
    '## 1. Every file is unchanged',
    '',
    '```sh',
    `sha256sum -c ${layout.MANIFEST_SHA256}      # every payload file (data/)`,
    `sha256sum -c ${layout.TAGMANIFEST_SHA256}   # every tag file, including the manifests`,
    '```',
    '',
    'macOS: `shasum -a 256 -c`. Windows: `certutil -hashfile <file> SHA256` for each line.',
    `SM3 (GB/T 32905) of any payload file, to compare with ${layout.MANIFEST_SM3}:`,
    '`openssl dgst -sm3 data/events.jsonl`.',
    '',
    'Also check that `data/` holds no file that the manifest does not list, and that',
    '`Payload-Oxum` in bag-info.txt (bytes.files) matches the payload.',
    '',
    '## 2. The seal: the tag manifest was fixed by this device, at a time a TSA attests',
    '',
    '```sh',
    `openssl pkeyutl -verify -pubin -inkey ${layout.DEVICE_PUBLIC_KEY} -rawin -in ${layout.TAGMANIFEST_SHA256} -sigfile ${layout.SEAL_SIGNATURE}`,
    `openssl ts -verify -data ${layout.TAGMANIFEST_SHA256} -in ${layout.sealTokenPath(0)} -CAfile <TSA-ROOT.pem>${untrusted}`,
    `openssl ts -reply -in ${layout.sealTokenPath(0)} -text   # shows the attested time`,
    '```',
    '',
    `The time it shows must be within ${SEAL_WINDOW_SECONDS} s after the seal (\`sealedAt\` in data/session.json).`,
    `\`${layout.sealTokenPath(0)}\` lies outside the tag manifest (it timestamps it), so one can be added`,
    'at any time: a later one proves only that the archive existed by then. If it is absent, the',
    'archive is intact and its time rests on the checkpoint tokens (sections 4 and 5).',
    '',
    '## 3. The event chain is whole',
    '',
    'Each line of data/events.jsonl is an event in RFC 8785 canonical JSON; its SHA-256 is the',
    '`prev` of the next line, and the first `prev` is 64 zeros:',
    '',
    '```sh',
    'python3 - <<\'PY\'',
    'import hashlib, json',
    'prev = "0" * 64',
    'for n, line in enumerate(open("data/events.jsonl", "rb")):',
    '    line = line.rstrip(b"\\n")',
    '    event = json.loads(line)',
    '    assert event["seq"] == n and event["prev"] == prev, f"chain broken at line {n + 1}"',
    '    prev = hashlib.sha256(line).hexdigest()',
    'print("chain whole;", n + 1, "events; head", prev)',
    'PY',
    '```',
    '',
    'The head printed must equal `head` in the last checkpoint below.',
    '',
    '## 4. Checkpoints: signed by the device, timestamped while the session was open',
    '',
    '```sh',
  );
  for (const index of input.checkpoints) {
    const paths = layout.checkpointPaths(index);
    add(`openssl pkeyutl -verify -pubin -inkey ${layout.DEVICE_PUBLIC_KEY} -rawin -in ${paths.statement} -sigfile ${paths.signature}`);
  }
  for (const token of input.tokens.filter((t) => t.token)) {
    const chain = layout.tsaChainPath(Number(/-tsa(\d+)\.tsr$/.exec(token.token)?.[1] ?? 1));
    add(`openssl ts -verify -data ${token.subject} -in ${token.token} -CAfile <TSA-ROOT.pem> -untrusted ${chain}   # ${token.tsa}`);
  }
  add(
    '```',
    '',
    `The device certificate is ${layout.DEVICE_CERT}. The key used above must be the one the`,
    'session was created with: its SHA-256 (DER) must equal `payload.device.keyId` in the first',
    'event and `device` in every checkpoint:',
    '',
    '```sh',
    `openssl pkey -pubin -in ${layout.DEVICE_PUBLIC_KEY} -outform DER | sha256sum`,
    `openssl x509 -in ${layout.DEVICE_CERT} -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum`,
    'head -n 1 data/events.jsonl   # payload.device.keyId',
    '```',
    '',
    'A device key proves only which device wrote the archive; the TSA tokens prove when. Anyone',
    'holding the key could have re-signed a rewritten history, but not re-timestamped it then.',
    '',
    '## 5. When each event was proven to exist',
    '',
    'An event\'s `time` is what the device\'s clock said. What proves it is a token: a token over',
    'checkpoint N proves that the first `treeSize` events (#0 to #treeSize−1) existed at the time',
    'the TSA put in it. List every token with the events it covers:',
    '',
    '```sh',
    'for t in proofline/timestamps/*.tsr; do',
    '  n=$(basename "$t" | cut -d- -f1)',
    '  size=$(python3 -c "import json; print(json.load(open(\'proofline/checkpoints/$n.json\'))[\'treeSize\'])")',
    '  echo "events #0-#$((size - 1)) existed by $(openssl ts -reply -in "$t" -text | sed -n \'s/^Time stamp: //p\')   ($t)"',
    'done',
    '```',
    '',
    'An event\'s proven-by time is the earliest of these times among the tokens that cover it (the',
    'seal token, within its window, covers them all). Compare it with the event\'s `time`: the',
    'session promised to prove every event within `anchorSeconds` (in the first event\'s',
    '`payload.anchoring`, changed only by `anchoring.changed` events), and the verifier allows',
    `${TOLERANCE_SECONDS} s more for the TSA's latency and the two clocks. An event proven later than that`,
    'could have been rewritten by whoever held the device key until it was proven: only its',
    'proven-by time is attested, not its recorded time. Nothing proves the order or content of',
    'events inside the last interval before a token more strongly than the device key does.',
    '',
  );
  // Sections only some archives need, numbered on from 6.
  let next = 6;
  if (session.kind === 'web') add(...waczSection(next++));
  if (input.sm2Tokens && input.sm2Tokens.length > 0) add(...sm2Section(next++, input.sm2Tokens));
  add(...renewalSection(next++));
  add(
    `\`proofline verify archive.zip --trust <TSA-ROOT.pem>\` runs all of the above and more`,
    '(artifact presence, Merkle roots, the TSA certificates\' time-stamping usage and chain, each',
    'event\'s proven-by time) and names whatever fails or is proven late.',
    '',
  );
  return lines.join('\n');
}

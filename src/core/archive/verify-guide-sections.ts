// Sections of proofline/VERIFY.md that only some archives need: checking the signed web archives
// (WACZ) of a web session, the SM2 tokens of a Chinese TSA, and the evidence record a later
// `proofline renew` may add, with standard tools only
// (coreutils, unzip, OpenSSL 3, Python 3). tests/integration/verify-guide-extras.test.ts runs the
// commands exactly as they appear in an exported archive's VERIFY.md.

/** Marks the script blocks a test (or a careful reader) can cut out of VERIFY.md and run. */
export const SCRIPT_FENCE = '```sh';

/**
 * A web session's WACZ files: each one's own hashes (datapackage.json), the wacz-auth 0.1.0
 * signature (ECDSA P-384 over the `hash` string, P1363 r‖s, which OpenSSL wants as DER), and the
 * key's SHA-256 to compare with the `keyId` its capture event recorded.
 */
export function waczSection(number: number): string[] {
  return [
    `## ${number}. The web archives (WACZ) are whole and signed by this device`,
    '',
    'Each web capture keeps a WACZ in data/artifacts/. Its datapackage.json lists every file inside',
    'with its SHA-256; datapackage-digest.json holds the SHA-256 of datapackage.json and a signature',
    'over it (WACZ Signing and Verification 0.1.0, anonymous form: ECDSA P-384). For each WACZ:',
    '',
    SCRIPT_FENCE,
    'for w in data/artifacts/*.wacz; do',
    '  d=$(mktemp -d); unzip -q "$w" -d "$d"',
    '  python3 - "$d" <<\'PY\' || { echo "$w: NOT INTACT (the error above says what)"; continue; }',
    'import base64, hashlib, json, os, sys',
    'd = sys.argv[1]',
    'digest = json.load(open(os.path.join(d, "datapackage-digest.json")))',
    'package = open(os.path.join(d, "datapackage.json"), "rb").read()',
    'assert digest["hash"] == "sha256:" + hashlib.sha256(package).hexdigest(), "datapackage.json was changed"',
    'for r in json.loads(package)["resources"]:',
    '    data = open(os.path.join(d, r["path"]), "rb").read()',
    '    assert r["hash"] == "sha256:" + hashlib.sha256(data).hexdigest() and r["bytes"] == len(data), r["path"] + " was changed"',
    'signed = digest["signedData"]',
    'assert signed["hash"] == digest["hash"], "the signature is over another datapackage.json"',
    'open(os.path.join(d, "hash.txt"), "w").write(signed["hash"])',
    'key = base64.b64decode(signed["publicKey"])',
    'open(os.path.join(d, "key.pem"), "w").write("-----BEGIN PUBLIC KEY-----\\n" + base64.encodebytes(key).decode() + "-----END PUBLIC KEY-----\\n")',
    'raw = base64.b64decode(signed["signature"])',
    'def integer(b):',
    '    b = b.lstrip(b"\\0") or b"\\0"',
    '    b = b"\\0" + b if b[0] & 0x80 else b',
    '    return bytes([2, len(b)]) + b',
    'body = integer(raw[:len(raw) // 2]) + integer(raw[len(raw) // 2:])',
    'open(os.path.join(d, "signature.der"), "wb").write(bytes([0x30, len(body)]) + body)',
    'print("every file matches datapackage.json; signed by key", hashlib.sha256(key).hexdigest())',
    'PY',
    '  openssl dgst -sha256 -verify "$d/key.pem" -signature "$d/signature.der" "$d/hash.txt"',
    'done',
    '```',
    '',
    'Each WACZ must print "Verified OK" (never "NOT INTACT"), and the key it names must be the `keyId` under',
    '`payload.wacz.signature.signer` of the event that records that WACZ in data/events.jsonl:',
    'the device recorded that key in the chain, which its checkpoints sign and the TSA tokens date.',
    'A WACZ signed by another key was signed by someone else. `signatureTimestamp.response` in',
    'datapackage-digest.json, when present, is an RFC 3161 token over the SHA-256 of the decoded',
    'signature: `openssl ts -verify -digest <that SHA-256> -in wacz.tsr -CAfile <TSA-ROOT.pem>`.',
    '',
  ];
}

/**
 * OpenSSL 3.0 cannot `ts -verify` a token signed with SM2 (GM/T 0033), nor `verify` an SM2
 * certificate, but `pkeyutl` checks one SM2 signature with the GM/T 0009 default user ID. So the
 * signed bytes are cut out with `asn1parse` and each signature is checked on its own.
 */
export function sm2Section(number: number, tokens: readonly string[]): string[] {
  return [
    `## ${number}. Tokens signed with SM2 (a Chinese TSA, GM/T 0033)`,
    '',
    `${tokens.length === 1 ? `\`${tokens[0]}\` is` : `${tokens.length} tokens here (${tokens.slice(0, 3).map((t) => `\`${t}\``).join(', ')}${tokens.length > 3 ? ', …' : ''}) are`} signed with SM2 over SM3.`,
    '`openssl ts -verify` (OpenSSL 3.0) cannot check such a token and stops at "certificate signature',
    'failure". Check its parts instead: what it covers and when, as above (`openssl ts -reply -in',
    '<token> -text`, "Message data" and "Time stamp"), then its signatures with this script, run as',
    '`sh check-sm2.sh <token.tsr> <TSA-ROOT.pem> "$(mktemp -d)"`. It checks that the signed',
    'messageDigest is the SM3 of the TSTInfo, the TSA\'s SM2 signature over the signed attributes, and',
    'the root\'s SM2 signature over the TSA certificate, printing "messageDigest OK" and "Signature',
    'Verified Successfully" twice. Look at the TSA certificate too (`openssl x509 -in tsa.pem -noout',
    '-text` in that folder): "Extended Key Usage: critical, Time Stamping" and a validity covering the',
    'token\'s time.',
    '',
    SCRIPT_FENCE,
    "cat > check-sm2.sh <<'SH'",
    ...SM2_SCRIPT,
    'SH',
    '```',
    '',
  ];
}

/**
 * Every archive may be renewed years after it was sealed (`proofline renew`, RFC 4998), and its
 * VERIFY.md, fixed at seal, cannot know: so each says how to check an evidence record if one is
 * there. The first archive timestamp covers one hash tree of a single list (§4.2: the leaves'
 * SHA-256 sorted as binary and hashed together): the tag manifest, the seal signature and every
 * token; each renewal covers the SHA-256 of the previous archive timestamp's token (§5.2).
 */
export function renewalSection(number: number): string[] {
  return [
    `## ${number}. If the archive was renewed: proofline/evidence-record.ers (RFC 4998)`,
    '',
    'A token is only as good as its TSA\'s certificate, which expires. `proofline renew` adds an',
    'Evidence Record beside the seal, outside the tag manifest, so the bag is unchanged: its first',
    'archive timestamp covers the tag manifest, the seal signature and every token, each later one',
    'the timestamp before it. `<RENEWAL-ROOTS.pem>` holds the roots of the TSAs that renewed it (add',
    '`-untrusted <their chain.pem>` if a token lacks its intermediates). If the file is absent, skip',
    'this section.',
    '',
    SCRIPT_FENCE,
    'E=proofline/evidence-record.ers; n=0',
    "for off in $(openssl asn1parse -inform DER -in $E | grep -B1 ':pkcs7-signedData' | grep 'cons: SEQUENCE' | cut -d: -f1); do",
    '  n=$((n + 1)); openssl asn1parse -inform DER -in $E -strparse $off -noout -out ats$n.der',
    'done',
    'covered=$(for f in tagmanifest-sha256.txt proofline/seal.sig proofline/seal*.tsr proofline/timestamps/*.tsr; do',
    "  sha256sum \"$f\" | cut -c1-64; done | LC_ALL=C sort | tr -d '\\n' |",
    "  python3 -c 'import hashlib, sys; print(hashlib.sha256(bytes.fromhex(sys.stdin.read())).hexdigest())')",
    'i=1',
    'while [ -f ats$i.der ]; do',
    '  echo "archive timestamp $i: $(openssl ts -reply -token_in -in ats$i.der -text | grep \'^Time stamp\')"',
    '  openssl ts -verify -token_in -in ats$i.der -digest $covered -CAfile <RENEWAL-ROOTS.pem> ${UNTRUSTED:+-untrusted $UNTRUSTED}',
    '  covered=$(sha256sum ats$i.der | cut -c1-64); i=$((i + 1))',
    'done',
    '```',
    '',
    'Every archive timestamp must say "Verification: OK", and each must be dated before the',
    'certificate of the TSA before it expired (`openssl pkcs7 -inform DER -in ats<N>.der',
    '-print_certs | openssl x509 -noout -enddate`): a later one leaves a gap in which that time was',
    'no longer attested. The last TSA certificate\'s end date is until when the archive\'s time is',
    'attested; renew again before it.',
    '',
  ];
}

const SM2_SCRIPT = [
  'set -eu',
  'tsr=$(realpath "$1") root=$(realpath "$2") dir=$3',
  'cd "$dir"',
  'openssl ts -reply -in "$tsr" -token_out -out token.der 2>/dev/null',
  'openssl asn1parse -inform DER -in token.der > token.asn1',
  '# "off:d=N  hl=H l=  L ..." -> the bytes of that element (whole, or its content only)',
  'cutbytes() {',
  '  if [ "${6:-}" = content ]; then skip=$(($2 + $3)) count=$4; else skip=$2 count=$(($3 + $4)); fi',
  '  dd if="$1" of="$5" bs=1 skip="$skip" count="$count" 2>/dev/null',
  '}',
  'field() { echo "$1" | sed -n "s/.*$2=\\s*\\([0-9]*\\).*/\\1/p"; }',
  '# 1. the TSTInfo (eContent) and its SM3 digest, against the signed messageDigest',
  "line=$(grep -m1 'd=5 .*prim: OCTET STRING' token.asn1)",
  'cutbytes token.der "${line%%:*}" "$(field "$line" hl)" "$(field "$line" \' l\')" tst.der content',
  "tst_sm3=$(openssl dgst -sm3 -r tst.der | cut -d' ' -f1)",
  "signed_digest=$(awk '/:messageDigest/{f=1} f&&/OCTET STRING/{sub(/.*\\[HEX DUMP\\]:/,\"\"); print tolower($0); exit}' token.asn1)",
  '[ "$signed_digest" = "$tst_sm3" ] || { echo "messageDigest $signed_digest is not SM3(TSTInfo) $tst_sm3"; exit 1; }',
  'echo "messageDigest OK: SM3(TSTInfo) = $tst_sm3"',
  '# 2. the signed attributes, retagged as a SET (RFC 5652 5.4), and the TSA\'s signature',
  "line=$(grep 'd=5 .*cont \\[ 0 \\]' token.asn1 | tail -1)",
  'cutbytes token.der "${line%%:*}" "$(field "$line" hl)" "$(field "$line" \' l\')" attrs.der',
  "printf '\\061' | dd of=attrs.der bs=1 conv=notrunc 2>/dev/null",
  "line=$(grep 'prim: OCTET STRING' token.asn1 | tail -1)",
  'cutbytes token.der "${line%%:*}" "$(field "$line" hl)" "$(field "$line" \' l\')" sig.der content',
  "openssl pkcs7 -inform DER -in token.der -print_certs | awk '/BEGIN/{n++} n==1' > tsa.pem",
  'openssl x509 -in tsa.pem -pubkey -noout > tsa-pub.pem',
  'openssl pkeyutl -verify -pubin -inkey tsa-pub.pem -rawin -digest sm3 -pkeyopt distid:1234567812345678 -in attrs.der -sigfile sig.der',
  '# 3. the TSA certificate\'s tbsCertificate and signature, with the root\'s key',
  'openssl x509 -in tsa.pem -outform DER -out tsa.der',
  'openssl asn1parse -inform DER -in tsa.der > tsa.asn1',
  "line=$(grep -m1 'd=1 ' tsa.asn1)",
  'cutbytes tsa.der "${line%%:*}" "$(field "$line" hl)" "$(field "$line" \' l\')" tbs.der',
  "line=$(grep 'd=1 .*BIT STRING' tsa.asn1 | tail -1)",
  'cutbytes tsa.der "$((${line%%:*} + 1))" "$(field "$line" hl)" "$(($(field "$line" \' l\') - 1))" certsig.der content',
  'openssl x509 -in "$root" -pubkey -noout > root-pub.pem',
  'openssl pkeyutl -verify -pubin -inkey root-pub.pem -rawin -digest sm3 -pkeyopt distid:1234567812345678 -in tbs.der -sigfile certsig.der',
];

// The DER of the SM2 signature algorithm OIDs (GM/T 0006): sm2sign-with-sm3 1.2.156.10197.1.501
// and sm2-1 1.2.156.10197.1.301.1. Only the wording of VERIFY.md depends on this hint; the
// verifier judges every token by parsing it.
const SM2_SIGNATURE_OIDS = [Buffer.from('06082a811ccf55018375', 'hex'), Buffer.from('06092a811ccf5501822d01', 'hex')];

/** Does this time-stamp response name an SM2 signature algorithm anywhere (its signer or a certificate)? */
export function mentionsSm2(response: Buffer): boolean {
  return SM2_SIGNATURE_OIDS.some((oid) => response.includes(oid));
}

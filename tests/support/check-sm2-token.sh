#!/bin/sh
# Checking an SM2 time-stamp token (GM/T 0033) with OpenSSL 3.0 alone, as VERIFY.md tells a reader
# without Proofline: OpenSSL 3.0 cannot `ts -verify` or `cms -verify` an SM2 token, nor `verify`
# an SM2 certificate, but `pkeyutl` checks one SM2 signature with the GM/T 0009 default ID. So the
# signed bytes are cut out with asn1parse and each signature is checked on its own:
#   1. the TSTInfo's SM3 digest is the signed messageDigest (RFC 5652 §11.2);
#   2. the TSA's SM2 signature over the signed attributes (RFC 5652 §5.4: SET OF tag, 0x31);
#   3. the root's SM2 signature over the TSA certificate.
# The imprint (`openssl ts -reply -text`, "Message data") is compared with sha256sum separately.
#
# Usage: check-sm2-token.sh TOKEN.tsr ROOT.pem WORKDIR    (exit 0: all three hold)
set -eu
tsr=$1 root=$2 dir=$3
cd "$dir"

openssl ts -reply -in "$tsr" -token_out -out token.der 2>/dev/null
openssl asn1parse -inform DER -in token.der > token.asn1

# "off:d=N  hl=H l=  L ..." -> the bytes of that element (whole, or its content only).
cutbytes() { # file offset header length out [content]
  if [ "${6:-}" = content ]; then skip=$(($2 + $3)) count=$4; else skip=$2 count=$(($3 + $4)); fi
  dd if="$1" of="$5" bs=1 skip="$skip" count="$count" 2>/dev/null
}
field() { echo "$1" | sed -n "s/.*$2=\\s*\\([0-9]*\\).*/\\1/p"; }

# 1. TSTInfo (eContent, the first OCTET STRING at depth 5) and its SM3 digest.
line=$(grep -m1 'd=5 .*prim: OCTET STRING' token.asn1)
cutbytes token.der "${line%%:*}" "$(field "$line" hl)" "$(field "$line" ' l')" tst.der content
tst_sm3=$(openssl dgst -sm3 -r tst.der | cut -d' ' -f1)
signed_digest=$(awk '/:messageDigest/{f=1} f&&/OCTET STRING/{sub(/.*\[HEX DUMP\]:/,""); print tolower($0); exit}' token.asn1)
[ "$signed_digest" = "$tst_sm3" ] || { echo "messageDigest $signed_digest is not SM3(TSTInfo) $tst_sm3"; exit 1; }
echo "messageDigest OK: SM3(TSTInfo) = $tst_sm3"

# 2. The signed attributes (SignerInfo [0] at depth 5), retagged as a SET, and the signature
# (the last OCTET STRING of the token).
line=$(grep 'd=5 .*cont \[ 0 \]' token.asn1 | tail -1)
cutbytes token.der "${line%%:*}" "$(field "$line" hl)" "$(field "$line" ' l')" attrs.der
printf '\061' | dd of=attrs.der bs=1 conv=notrunc 2>/dev/null
line=$(grep 'prim: OCTET STRING' token.asn1 | tail -1)
cutbytes token.der "${line%%:*}" "$(field "$line" hl)" "$(field "$line" ' l')" sig.der content
openssl pkcs7 -inform DER -in token.der -print_certs | awk '/BEGIN/{n++} n==1' > tsa.pem
openssl x509 -in tsa.pem -pubkey -noout > tsa-pub.pem
openssl pkeyutl -verify -pubin -inkey tsa-pub.pem -rawin -digest sm3 -pkeyopt distid:1234567812345678 -in attrs.der -sigfile sig.der

# 3. The TSA certificate: tbsCertificate and signature value, checked with the root's key.
openssl x509 -in tsa.pem -outform DER -out tsa.der
openssl asn1parse -inform DER -in tsa.der > tsa.asn1
line=$(grep -m1 'd=1 ' tsa.asn1)
cutbytes tsa.der "${line%%:*}" "$(field "$line" hl)" "$(field "$line" ' l')" tbs.der
line=$(grep 'd=1 .*BIT STRING' tsa.asn1 | tail -1)
cutbytes tsa.der "$((${line%%:*} + 1))" "$(field "$line" hl)" "$(($(field "$line" ' l') - 1))" certsig.der content
openssl x509 -in "$root" -pubkey -noout > root-pub.pem
openssl pkeyutl -verify -pubin -inkey root-pub.pem -rawin -digest sm3 -pkeyopt distid:1234567812345678 -in tbs.der -sigfile certsig.der

// How a timestamp is signed, in the reader's words. The verifier names it "SM2 with SM3" or
// "RSA with SHA-256" (src/core/attest/tsa-names.ts signatureAlgorithmName); split here so each
// language says "signature with digest" its own way: 中文 "SM2（SM3 摘要）".
import { useTranslation } from 'react-i18next';

export function useSignatureAlgorithm(): (name: string) => string {
  const { t } = useTranslation('common');
  return (name) => {
    const parts = /^(\S+) with (\S+)$/.exec(name);
    // A name the verifier could not split (an unknown OID) is shown as it came.
    return parts ? t('signatureAlgorithm', { sign: parts[1], hash: parts[2] }) : name;
  };
}

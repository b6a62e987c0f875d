// The machines that captured into the vault: each device certificate stored there, by its key
// fingerprint (the "device" an archive names) and its subject.
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { VaultDevice } from '../../../shared/views';

export function VaultDevices({ devices }: { readonly devices: readonly VaultDevice[] }): ReactNode {
  const { t } = useTranslation('vault');
  return (
    <section className="panel" aria-labelledby="vault-devices">
      <h2 id="vault-devices">{t('screen.devices')}</h2>
      <p className="section-intro muted">{t('screen.devicesIntro')}</p>
      {devices.length === 0 ? (
        <p className="muted">{t('screen.noDevices')}</p>
      ) : (
        <table className="vault-table vault-devices">
          <thead>
            <tr>
              <th scope="col">{t('screen.keyId')}</th>
              <th scope="col">{t('screen.subject')}</th>
            </tr>
          </thead>
          <tbody>
            {devices.map((device) => (
              <tr key={device.keyId} data-device={device.keyId}>
                <td className="mono">{device.keyId}</td>
                <td className="mono">{device.subject}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

// The team vault's API (docs/FLEET.md; layout in vault-context.ts): open, init, push, list,
// pull, legal hold, and the push records of the data folder. Every host and the fleet's worker
// come through here.
export { openVault, keyOf, vaultForObject, vaultUrl, MATTERS, DEVICES, type VaultContext } from './vault-context.js';
export { initVault, type VaultInitResult } from './vault-init.js';
export { pushToVault, type PushRequest } from './vault-push.js';
export { listVault, describeArchive } from './vault-list.js';
export { listDevices } from './vault-devices.js';
export { pullFromVault, type PulledVersion } from './vault-pull.js';
export { setLegalHold } from './vault-hold.js';
export { pushesOf, recordPush, recordedPushes, recordedVersionOf } from './vault-pushes.js';
export { archiveFacts, sha256OfFile } from './archive-facts.js';

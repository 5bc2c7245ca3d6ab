// The service's SecretBox backed by Electron's safeStorage (the OS keychain: Keychain, DPAPI,
// libsecret or KWallet). On Linux without a keyring Electron falls back to a hard-coded key
// ("basic_text"), which protects nothing: treated as unavailable, so secrets stay in memory unless
// the user asks to remember them.
import { safeStorage } from 'electron';
import type { SecretBox } from '../service/secrets.ts';

export function safeStorageBox(): SecretBox {
  return {
    isAvailable() {
      if (!safeStorage.isEncryptionAvailable()) return false;
      return !(process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text');
    },
    encrypt: (plain) => safeStorage.encryptString(plain),
    decrypt: (data) => safeStorage.decryptString(data),
  };
}

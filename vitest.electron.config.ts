import { defineConfig } from 'vitest/config';

// The desktop app's own end-to-end specs (tests/electron), apart from `npm test`: they need the
// Electron binary, which build machines cannot download.
export default defineConfig({
  test: {
    include: ['tests/electron/**/*.e2e.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    maxWorkers: 1,
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts', 'tests/ui/**/*.test.ts'],
    // Redis and a one-node Ceph S3 gateway on loopback, for the fleet and vault tests.
    globalSetup: ['tests/setup/services.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests spawn openssl, ffmpeg and the CLI: two cores, so keep two workers.
    maxWorkers: 2,
  },
});

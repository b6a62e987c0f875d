// The loopback Redis and Ceph S3 gateway the global setup started (tests/setup/services.ts):
// their addresses and the S3 user's keys, as the environment a worker or the CLI is given.
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';

export interface Services {
  /** redis://127.0.0.1:PORT */
  readonly queue: string;
  /** The AWS_* variables of the gateway's test user, to pass to child processes. */
  readonly s3Env: Readonly<Record<string, string>>;
}

export function services(): Services {
  const env = inject('services');
  return {
    queue: env.PROOFLINE_TEST_QUEUE!,
    s3Env: {
      AWS_ENDPOINT_URL_S3: env.AWS_ENDPOINT_URL_S3!,
      AWS_REGION: env.AWS_REGION!,
      AWS_ACCESS_KEY_ID: env.AWS_ACCESS_KEY_ID!,
      AWS_SECRET_ACCESS_KEY: env.AWS_SECRET_ACCESS_KEY!,
    },
  };
}

/** A bucket name no other test uses (S3's rules: lower case, 3–63 characters). */
export function freshBucket(stem: string): string {
  return `${stem}-${randomBytes(5).toString('hex')}`.toLowerCase().slice(0, 63);
}

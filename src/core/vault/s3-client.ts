// The one place an S3 client is made (docs/FLEET.md). Endpoint, region and credentials come the
// AWS way: Settings' endpoint/region/profile when set, else AWS_ENDPOINT_URL_S3 /
// AWS_ENDPOINT_URL, AWS_REGION, AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY and ~/.aws profiles,
// through the SDK's own default chain. Nothing here is ever written to an archive or a log.
import type { S3Client } from '@aws-sdk/client-s3';

export interface S3Options {
  /** http(s)://host:port of an S3-compatible store; '' for AWS or the environment's. */
  readonly endpoint?: string;
  readonly region?: string;
  /** A profile of ~/.aws/config; '' for the default chain. */
  readonly profile?: string;
}

/** The endpoint in use, for messages ('AWS S3' when none is set): never a credential. */
export function endpointOf(options: S3Options = {}, env: NodeJS.ProcessEnv = process.env): string {
  return options.endpoint || env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || 'AWS S3';
}

let quieted = false;

/**
 * The SDK warns on stderr, once per process, that later versions will want Node 22: a
 * warning about the SDK's future, not about this command, printed into a CLI's output.
 */
function quietSdkNodeWarning(): void {
  if (quieted) return;
  quieted = true;
  const emit = process.emitWarning.bind(process);
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
    const name = warning instanceof Error ? warning.name : type;
    // @aws-sdk/core 3.1175 emits it as a bare string starting with its name (no type).
    if (name === 'NodeVersionSupportWarning' || (typeof warning === 'string' && warning.startsWith('NodeVersionSupportWarning'))) return;
    (emit as (...args: unknown[]) => void)(warning, ...rest);
  }) as typeof process.emitWarning;
}

export async function createS3Client(options: S3Options = {}, env: NodeJS.ProcessEnv = process.env): Promise<S3Client> {
  quietSdkNodeWarning();
  const { S3Client } = await import('@aws-sdk/client-s3');
  const endpoint = options.endpoint || env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined;
  return new S3Client({
    ...(endpoint && { endpoint, forcePathStyle: true }),
    region: options.region || env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
    // The SDK's default chain reads this profile of ~/.aws (else AWS_PROFILE, else the environment).
    ...(options.profile && { profile: options.profile }),
    // Ceph 16's gateway (and older MinIO) refuse the SDK's streamed, checksummed uploads with
    // 411 MissingContentLength; checksums only where S3 requires them (Object Lock puts do).
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 3,
  });
}

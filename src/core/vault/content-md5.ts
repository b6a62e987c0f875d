// Content-MD5 on every upload whose body is in memory (a lib-storage part, a small archive, a
// device certificate). S3 requires an integrity header on writes carrying Object Lock retention
// (AWS S3 User Guide, "Configuring S3 Object Lock": Content-MD5 or an x-amz-checksum-* header),
// and the client computes no checksum of its own (s3-client.ts: WHEN_REQUIRED, for Ceph 16).
// Content-MD5 (RFC 1864) is understood by AWS, MinIO and Ceph alike, and makes the store refuse
// a part damaged on the way.
import { createHash } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';

const UPLOADS = new Set(['PutObjectCommand', 'UploadPartCommand']);

export function addContentMd5(client: S3Client): S3Client {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const request = args.request as { headers?: Record<string, string>; body?: unknown };
      if (UPLOADS.has(context.commandName ?? '') && request.headers && !Object.keys(request.headers).some((h) => h.toLowerCase() === 'content-md5')) {
        const body = request.body;
        if (body instanceof Uint8Array) request.headers['content-md5'] = createHash('md5').update(body).digest('base64');
        else if (typeof body === 'string') request.headers['content-md5'] = createHash('md5').update(body, 'utf8').digest('base64');
      }
      return next(args);
    },
    { step: 'build', name: 'prooflineContentMd5', override: true },
  );
  return client;
}

import type { ErrorKind } from '../shared/errors.js';

/**
 * The HTTP status of each kind of error, the one place it is decided (STYLE.md habit 9): the web
 * host's API and both hosts' media answers use it.
 * damaged is 422: the request was understood, but the archive or file it names cannot be used.
 * interrupted is 499, nginx's "client closed request": nothing standard names a cancelled call,
 * and the caller that cancelled it has usually gone.
 */
export const HTTP_STATUS_OF_KIND: Readonly<Record<ErrorKind, number>> = {
  'invalid-input': 400,
  'not-found': 404,
  conflict: 409,
  damaged: 422,
  unavailable: 503,
  interrupted: 499,
  failed: 500,
};

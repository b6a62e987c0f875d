import type { ProoflineBridge } from '../../shared/bridge';

declare global {
  interface Window {
    /** Set by the preload inside the app; absent when the page is opened in a plain browser. */
    readonly proofline?: ProoflineBridge;
  }
}

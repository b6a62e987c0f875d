// What a fleet session says about itself (in its session.created description and in a note, both
// in the sealed events.jsonl): which job and attempt it answers, and every earlier attempt of the
// same job that did not complete it, by device and session. A retry is never silent.
import type { AttemptRecord, FleetJobData } from './fleet-jobs.js';

export function describeFleetSession(jobId: string, data: FleetJobData, attempt: number, device: string): string {
  return `Captured by the Proofline capture fleet: job ${jobId}, attempt ${attempt}, submission ${data.submission}, matter ${data.matter}, URL ${data.url}, device ${device}.`;
}

export function disclosureNote(jobId: string, data: FleetJobData, attempt: number, earlier: readonly AttemptRecord[]): string {
  const lines = earlier.map((a) => {
    const who = `attempt ${a.attempt} by device ${a.device} (worker ${a.worker}, started ${a.startedAt})${a.sessionId ? ` in session ${a.sessionId}` : ' before its session was made'}`;
    return a.failed ? `${who} failed (${a.failed.reason}); its session is in the vault${a.failed.archiveKey ? ` at ${a.failed.archiveKey}` : ''}` : `${who} did not complete the job`;
  });
  return `Capture fleet: this is attempt ${attempt} of job ${jobId} (submission ${data.submission}, ${data.url}). Earlier: ${lines.join('; ')}. A session an attempt left unfinished is sealed by its own device when its worker starts again, and pushed to the vault as interrupted.`;
}

export function fleetTitle(url: string): string {
  const title = `Fleet capture: ${url}`;
  return title.length <= 200 ? title : `${title.slice(0, 199)}…`;
}

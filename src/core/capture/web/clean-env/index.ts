// The clean-environment check that starts a web capture (DESIGN.md, web capture): clock, proxy,
// hosts file, DNS, route, public IP, running tools, a fresh browser. Plain Node: no electron.
export { runEnvironmentCheck, parseTarget, verdictOf, countFindings, CheckCancelledError } from './run-check.js';
export { recordEnvironmentCheck, ENVIRONMENT_CHECK_EVENT, ENVIRONMENT_CHECK_FILE } from './record.js';
export { formatEnvironmentCheck } from './format.js';
export { FINDINGS, FINDING_IDS, TITLES_ZH, type FindingId } from './titles.js';
export {
  THRESHOLDS,
  DEFAULT_PUBLIC_IP_URL,
  DEFAULT_TIMEOUT_MS,
  type CheckOptions,
  type CheckProgress,
  type EnvironmentCheckReport,
  type Finding,
  type FindingCategory,
  type FindingCounts,
  type FindingStatus,
  type Verdict,
} from './types.js';

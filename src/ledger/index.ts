export {
  openEmbeddedLedgerDatabase,
  openPostgresLedgerDatabase,
  LedgerInUseError,
  type LedgerDatabase,
} from './database';
export { createPhoneIndex, type PhoneIndex } from './phone-index';
export {
  createSuppressionLedger,
  liftedByStart,
  suppressionReasons,
  type Bars,
  type PersonRegistration,
  type PersonWorkflow,
  type SuppressionLedger,
  type SuppressionReason,
  type SuppressionRow,
  type SuppressionSubject,
} from './suppression-ledger';
export {
  formatLedgerKeys,
  LedgerKeyError,
  normalizeSubject,
  parseLedgerKeys,
  subjectHash,
  suppressionKinds,
  type LedgerKey,
  type LedgerKeyRing,
  type SuppressionKind,
} from './subject-hash';
export {
  countCandidateStates,
  createCandidateStates,
  type CandidateStates,
  type StateSeal,
} from './candidate-states';

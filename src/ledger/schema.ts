import type { LedgerDatabase } from './database';

/**
 * The ledger's tables, in order; each step runs once, recorded in `debrief_schema`. The same text on
 * PostgreSQL and on the embedded SQLite: plain types (times are ISO 8601 text in UTC, which sorts as time),
 * no serial columns, nothing either lacks. No column holds a number, an address or a name: only keyed hashes
 * (see ./subject-hash.ts, and the phone index's in ./phone-index.ts).
 */
export const schemaSteps: readonly (readonly string[])[] = [
  [
    `CREATE TABLE suppressions (
       kind text NOT NULL CHECK (kind IN ('sms', 'email', 'candidate')),
       subject_hash text NOT NULL,
       key_id text NOT NULL,
       reason text NOT NULL,
       source text NOT NULL,
       created_at text NOT NULL,
       PRIMARY KEY (kind, key_id, subject_hash)
     )`,
    `CREATE TABLE ledger_events (
       id text PRIMARY KEY,
       at text NOT NULL,
       action text NOT NULL CHECK (action IN ('suppressed', 'lifted')),
       kind text NOT NULL,
       subject_hash text NOT NULL,
       key_id text NOT NULL,
       reason text NOT NULL,
       source text NOT NULL
     )`,
    'CREATE INDEX ledger_events_at ON ledger_events (at)',
  ],
  [
    // The numbers and addresses a candidate's follow-ups used, as hashes, so that deleting the person
    // suppresses them all; the rows go when the person is deleted.
    `CREATE TABLE contacts (
       candidate_hash text NOT NULL,
       kind text NOT NULL CHECK (kind IN ('sms', 'email')),
       subject_hash text NOT NULL,
       key_id text NOT NULL,
       PRIMARY KEY (candidate_hash, kind, subject_hash)
     )`,
  ],
  [
    // What operators did in the console (src/console/audit-log.ts): who, what, when, on which follow-up (its
    // id) or candidate, number or address (a keyed hash); never a name, a number or an address.
    `CREATE TABLE audit_log (
       id text PRIMARY KEY,
       at text NOT NULL,
       operator text NOT NULL,
       role text NOT NULL,
       action text NOT NULL,
       target_kind text NOT NULL CHECK (target_kind IN ('follow_up', 'candidate', 'sms', 'email', 'console')),
       target text NOT NULL,
       key_id text NOT NULL,
       outcome text NOT NULL,
       detail text NOT NULL
     )`,
    'CREATE INDEX audit_log_at ON audit_log (at)',
  ],
  [
    // Which candidates a phone number belongs to, so an inbound SMS finds them (./phone-index.ts): the
    // number's keyed hash (32 hex characters, never the number, which is at most 16), the candidate id.
    `CREATE TABLE phone_index (
       phone_hash text NOT NULL CHECK (length(phone_hash) = 32),
       candidate_id text NOT NULL,
       created_at text NOT NULL,
       PRIMARY KEY (phone_hash, candidate_id)
     )`,
    'CREATE INDEX phone_index_candidate ON phone_index (candidate_id)',
  ],
  [
    // Whether a subject is suppressed is asked by kind and hash under every key of the ring (every event,
    // every registration and delivery): without this, each question read every suppression of its kind.
    'CREATE INDEX suppressions_subject ON suppressions (kind, subject_hash)',
  ],
  [
    // The workflows of a person (follow-ups, interview-prep reminders) under the person's keyed hash, so a
    // deletion stops and erases every one of them whatever a workflow's state still lists; the rows go
    // when the person is deleted. A workflow id names an application, never the person.
    `CREATE TABLE person_workflows (
       candidate_hash text NOT NULL,
       key_id text NOT NULL,
       workflow_id text NOT NULL,
       registered_at text NOT NULL,
       closed_at text,
       PRIMARY KEY (candidate_hash, workflow_id)
     )`,
  ],
  [
    // A candidate's state where the deployment keeps it in the ledger (./candidate-states.ts) rather than in
    // an entity workflow: sealed (AES-256-GCM under the payload keys), so no number or address is readable.
    `CREATE TABLE candidate_states (
       candidate_id text PRIMARY KEY,
       state text NOT NULL,
       updated_at text NOT NULL
     )`,
  ],
];

/** An arbitrary constant that serialises concurrent migrations of one PostgreSQL database. */
const migrationLock = 4_274_104_301;

/** Brings the database's schema up to date; safe to run from several processes at once. */
export async function migrateLedger(db: LedgerDatabase): Promise<void> {
  await db.transaction(async (sql) => {
    // The embedded database has one process by construction; a server has as many as there are instances.
    if (db.flavour === 'postgres') await sql.query('SELECT pg_advisory_xact_lock($1)', [migrationLock]);
    await sql.query(
      'CREATE TABLE IF NOT EXISTS debrief_schema (version integer PRIMARY KEY, applied_at text NOT NULL)',
    );
    const { rows } = await sql.query<{ version: number | string | null }>(
      'SELECT max(version) AS version FROM debrief_schema',
    );
    const current = Number(rows[0]?.version ?? 0);
    for (let step = current; step < schemaSteps.length; step++) {
      for (const statement of schemaSteps[step]!) await sql.query(statement);
      await sql.query('INSERT INTO debrief_schema (version, applied_at) VALUES ($1, $2)', [
        step + 1,
        new Date().toISOString(),
      ]);
    }
  });
}

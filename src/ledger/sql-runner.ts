/** A row-returning SQL call with `$1`-style parameters: what both PostgreSQL drivers offer. */
export interface SqlRunner {
  query<Row extends object>(sql: string, params?: unknown[]): Promise<{ rows: Row[] }>;
}

/**
 * The ledger's database: PostgreSQL over the network (`DEBRIEF_DATABASE_URL`) or, embedded, SQLite inside the
 * process with its file in the data folder. Both run the same SQL: the schema and queries keep to what the two
 * share (see ./schema.ts).
 */
export interface LedgerDatabase extends SqlRunner {
  /** Runs `work` in one transaction. */
  transaction<T>(work: (sql: SqlRunner) => Promise<T>): Promise<T>;
  /** `embedded` for SQLite in the process, `postgres` for a server. */
  readonly flavour: 'embedded' | 'postgres';
  close(): Promise<void>;
}

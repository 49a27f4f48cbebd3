/** Versioned schema; each entry runs once, in order, inside a transaction. */
export const SQLITE_MIGRATIONS: readonly string[] = [
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
   CREATE TABLE client_keys (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     prefix TEXT NOT NULL,
     hash TEXT NOT NULL UNIQUE,
     permissions TEXT NOT NULL DEFAULT '[]',
     source TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     revoked_at INTEGER
   );
   CREATE INDEX client_keys_name ON client_keys(name);
   CREATE TABLE requests (
     id TEXT PRIMARY KEY,
     time INTEGER NOT NULL,
     key_name TEXT,
     api TEXT NOT NULL,
     endpoint TEXT NOT NULL,
     client TEXT,
     requested_model TEXT,
     model TEXT,
     provider TEXT,
     status INTEGER NOT NULL,
     error_class TEXT,
     error TEXT,
     stream INTEGER NOT NULL,
     stop_reason TEXT,
     input_tokens INTEGER,
     output_tokens INTEGER,
     cache_read_tokens INTEGER,
     cache_write_tokens INTEGER,
     reasoning_tokens INTEGER,
     ttft_ms REAL,
     overhead_ms REAL,
     duration_ms REAL NOT NULL,
     attempts TEXT NOT NULL
   );
   CREATE INDEX requests_time ON requests(time);`,
  // 2: routers (SPEC section 3). `json` is the router's API form; `version` grows by one on every write.
  `CREATE TABLE routers (
     id TEXT PRIMARY KEY,
     json TEXT NOT NULL,
     version INTEGER NOT NULL,
     source TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL
   );`,
  // 3: the record's key id, cost, 1-hour cache writes, generation time, routing decision, metadata and bodies. The
  // router, route and variant are copied out of the routing JSON into columns so they can be filtered and grouped.
  // Both bodies NULL means none were captured. Indexes: time-ordered keyset paging, and the equality filters with time
  // (the model filter also matches `provider || '/' || model`, which no index serves: it scans the time index).
  `ALTER TABLE requests ADD COLUMN key_id TEXT;
   ALTER TABLE requests ADD COLUMN cost_usd REAL;
   ALTER TABLE requests ADD COLUMN cache_write_1h_tokens INTEGER;
   ALTER TABLE requests ADD COLUMN generation_ms REAL;
   ALTER TABLE requests ADD COLUMN router TEXT;
   ALTER TABLE requests ADD COLUMN route_id TEXT;
   ALTER TABLE requests ADD COLUMN variant_id TEXT;
   ALTER TABLE requests ADD COLUMN routing TEXT;
   ALTER TABLE requests ADD COLUMN metadata TEXT;
   ALTER TABLE requests ADD COLUMN request_body TEXT;
   ALTER TABLE requests ADD COLUMN response_body TEXT;
   DROP INDEX requests_time;
   CREATE INDEX requests_time ON requests(time, id);
   CREATE INDEX requests_provider ON requests(provider, time);
   CREATE INDEX requests_key_id ON requests(key_id, time);
   CREATE INDEX requests_key_name ON requests(key_name, time);
   CREATE INDEX requests_router ON requests(router, time);
   CREATE INDEX requests_status ON requests(status, time);`,
  // 4: per-key limits (src/limits) of keys created through the CLI or API, as JSON; NULL: none of its own.
  `ALTER TABLE client_keys ADD COLUMN limits TEXT;`,
  // 5: two indexes become partial, so that the common record (no router, a status below 400) no longer pays for them
  // on every insert: errors get a time-ordered index of their own, which every status filter that only matches errors
  // uses (see ERRORS_ONLY in ../query/sql.ts) and which, unlike (status, time), needs no sort to page newest first;
  // the router filter's index keeps only records that went through a router. Other status filters (ok, 2xx, 200)
  // match most records and page along requests_time, as the planner chose anyway for some of them.
  `DROP INDEX requests_status;
   CREATE INDEX requests_errors ON requests(time, id) WHERE status >= 400;
   DROP INDEX requests_router;
   CREATE INDEX requests_router ON requests(router, time) WHERE router IS NOT NULL;`,
  // 6: PostgreSQL's attempts column becomes JSON; here they are TEXT already. Kept so the two lists stay in step.
  `SELECT 1;`,
];

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
];

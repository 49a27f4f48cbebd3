/**
 * Versioned PostgreSQL schema; entry N is the same logical schema as SQLite's migration N (see ../sqlite/migrations.ts),
 * so the two backends stay in step. Every pending entry runs at start, in order, in one transaction that holds
 * an advisory lock (see `migrate` in ./index.ts).
 *
 * Type mapping from SQLite: times are BIGINT epoch milliseconds, millisecond durations DOUBLE PRECISION, counters
 * BIGINT, the stream flag BOOLEAN, the key secret BYTEA, permissions JSONB. A router's API form, and a record's
 * attempts, routing and metadata, are stored as JSON (not JSONB) so they read back byte for byte, keys in the order
 * they were written. Identifiers that are ordered or compared as text use the "C" collation, which orders as
 * SQLite's BINARY does.
 *
 * PostgreSQL-only: `change_log`, a one-row counter that statement triggers on `client_keys` and `routers` bump in the
 * writing transaction, so it changes exactly when such a write commits (what `Store.changeMarker` reports; SQLite
 * uses `PRAGMA data_version`). A sequence would not do: `nextval` is visible before the write commits, so a reader
 * could see the new value, reload, miss the uncommitted rows and never look again. `client_keys.seq` stands in for
 * SQLite's implicit rowid to order keys created in the same millisecond.
 */
export const POSTGRES_MIGRATIONS: readonly string[] = [
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value BYTEA NOT NULL);
   CREATE TABLE change_log (id SMALLINT PRIMARY KEY CHECK (id = 1), counter BIGINT NOT NULL);
   INSERT INTO change_log (id, counter) VALUES (1, 0);
   CREATE FUNCTION switchyard_bump_change_log() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
   BEGIN
     UPDATE change_log SET counter = counter + 1 WHERE id = 1;
     RETURN NULL;
   END
   $$;
   CREATE TABLE client_keys (
     id TEXT COLLATE "C" PRIMARY KEY,
     seq BIGINT GENERATED ALWAYS AS IDENTITY,
     name TEXT NOT NULL,
     prefix TEXT NOT NULL,
     hash TEXT NOT NULL UNIQUE,
     permissions JSONB NOT NULL DEFAULT '[]',
     source TEXT NOT NULL,
     created_at BIGINT NOT NULL,
     revoked_at BIGINT
   );
   CREATE INDEX client_keys_name ON client_keys(name);
   CREATE TRIGGER client_keys_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON client_keys
     FOR EACH STATEMENT EXECUTE FUNCTION switchyard_bump_change_log();
   CREATE TABLE requests (
     id TEXT COLLATE "C" PRIMARY KEY,
     "time" BIGINT NOT NULL,
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
     stream BOOLEAN NOT NULL,
     stop_reason TEXT,
     input_tokens BIGINT,
     output_tokens BIGINT,
     cache_read_tokens BIGINT,
     cache_write_tokens BIGINT,
     reasoning_tokens BIGINT,
     ttft_ms DOUBLE PRECISION,
     overhead_ms DOUBLE PRECISION,
     duration_ms DOUBLE PRECISION NOT NULL,
     attempts JSONB NOT NULL
   );
   CREATE INDEX requests_time ON requests("time", id);`,
  // 2: routers (SPEC section 3). `json` is the router's API form; `version` grows by one on every write.
  `CREATE TABLE routers (
     id TEXT COLLATE "C" PRIMARY KEY,
     json JSON NOT NULL,
     version INTEGER NOT NULL,
     source TEXT NOT NULL,
     created_at BIGINT NOT NULL,
     updated_at BIGINT NOT NULL
   );
   CREATE TRIGGER routers_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON routers
     FOR EACH STATEMENT EXECUTE FUNCTION switchyard_bump_change_log();`,
  // 3: as SQLite's 3. Routing and metadata are JSON (not JSONB) so they read back with their keys in written order.
  // requests_time already is (time, id).
  `ALTER TABLE requests
     ADD COLUMN key_id TEXT COLLATE "C",
     ADD COLUMN cost_usd DOUBLE PRECISION,
     ADD COLUMN cache_write_1h_tokens BIGINT,
     ADD COLUMN generation_ms DOUBLE PRECISION,
     ADD COLUMN router TEXT COLLATE "C",
     ADD COLUMN route_id TEXT COLLATE "C",
     ADD COLUMN variant_id TEXT COLLATE "C",
     ADD COLUMN routing JSON,
     ADD COLUMN metadata JSON,
     ADD COLUMN request_body TEXT,
     ADD COLUMN response_body TEXT;
   CREATE INDEX requests_provider ON requests(provider, "time");
   CREATE INDEX requests_key_id ON requests(key_id, "time");
   CREATE INDEX requests_key_name ON requests(key_name, "time");
   CREATE INDEX requests_router ON requests(router, "time");
   CREATE INDEX requests_status ON requests(status, "time");`,
  // 4: as SQLite's 4 (per-key limits). PostgreSQL-only: the change_log trigger also sends NOTIFY switchyard_changes
  // (payload: the table), delivered when the writing transaction commits, so every instance's listener learns of a
  // key or router write by any connection at once instead of by polling (src/store/postgres/listen.ts).
  `ALTER TABLE client_keys ADD COLUMN limits JSONB;
   CREATE OR REPLACE FUNCTION switchyard_bump_change_log() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
   BEGIN
     UPDATE change_log SET counter = counter + 1 WHERE id = 1;
     PERFORM pg_notify('switchyard_changes', TG_TABLE_NAME);
     RETURN NULL;
   END
   $$;`,
  // 5: as SQLite's 5 (partial indexes of errors and of records with a router).
  `DROP INDEX requests_status;
   CREATE INDEX requests_errors ON requests("time", id) WHERE status >= 400;
   DROP INDEX requests_router;
   CREATE INDEX requests_router ON requests(router, "time") WHERE router IS NOT NULL;`,
  // 6: attempts become JSON, as routing and metadata are: nothing queries inside them, and the server's JSONB
  // conversion was ~2.6 of ~9.4 µs of its CPU per record written by COPY (docs/decisions/0010-records-by-copy.md).
  // Rewrites the table once: ~6 s per million stored records on the reference VM. SQLite's 6 does nothing.
  `ALTER TABLE requests ALTER COLUMN attempts TYPE JSON USING attempts::json;`,
];

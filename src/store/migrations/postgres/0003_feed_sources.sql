-- Herald schema v3 (PostgreSQL): the updater's record of each feed source
-- (SPEC §8): when it was last tried and last succeeded, how, the HTTP
-- validators of the last success, and what the last successful run did.
CREATE TABLE feed_sources (
  name TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  last_attempt_ms BIGINT,
  last_success_ms BIGINT,
  outcome TEXT NOT NULL DEFAULT '',
  error TEXT NOT NULL DEFAULT '',
  etag TEXT NOT NULL DEFAULT '',
  last_modified TEXT NOT NULL DEFAULT '',
  added BIGINT NOT NULL DEFAULT 0,
  changed BIGINT NOT NULL DEFAULT 0,
  unchanged BIGINT NOT NULL DEFAULT 0,
  notifications BIGINT NOT NULL DEFAULT 0,
  skipped BIGINT NOT NULL DEFAULT 0
);
-- The NVD feed enriches every vulnerability of a CVE id, in any namespace.
CREATE INDEX vulnerabilities_name ON vulnerabilities (name);
-- One updater run at a time across every process on the database: the
-- holder and until when its lease lasts (renewed between sources), on the
-- database's clock.
CREATE TABLE updater_lease (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  owner TEXT NOT NULL,
  until_ms BIGINT NOT NULL
);

-- Herald schema v2 (PostgreSQL): delivery state and the attempt log. Same
-- meaning as the SQLite migration: due_ms doubles as the lease expiry, and
-- lease_token fences late completions.

ALTER TABLE notifications ADD COLUMN round INTEGER NOT NULL DEFAULT 1;
ALTER TABLE notifications ADD COLUMN due_ms BIGINT;
ALTER TABLE notifications ADD COLUMN lease_owner TEXT;
ALTER TABLE notifications ADD COLUMN lease_token BIGINT NOT NULL DEFAULT 0;
ALTER TABLE notifications ADD COLUMN receiver_state TEXT NOT NULL DEFAULT '';

UPDATE notifications SET due_ms = created_ms WHERE deleted_ms IS NULL;
CREATE INDEX notifications_due ON notifications (due_ms) WHERE due_ms IS NOT NULL;

CREATE TABLE deliveries (
  id              BIGSERIAL PRIMARY KEY,
  notification_id BIGINT NOT NULL REFERENCES notifications (id),
  receiver        TEXT NOT NULL,
  round           INTEGER NOT NULL,
  attempt         INTEGER NOT NULL,
  started_ms      BIGINT NOT NULL,
  duration_ms     BIGINT NOT NULL,
  outcome         TEXT NOT NULL,
  http_status     INTEGER,
  error           TEXT
);
CREATE INDEX deliveries_by_notification ON deliveries (notification_id, id);

-- Herald schema v2 (SQLite): delivery state on the notification row and the
-- log of every delivery attempt.
--
-- due_ms is when the notifier should next act on the notification: the
-- creation time for a new one, the next retry, the next renotify round, or
-- the expiry of the lease of the process working on it (so a lapsed lease
-- makes it due again with no rescuer). NULL once deleted: never again.

ALTER TABLE notifications ADD COLUMN round INTEGER NOT NULL DEFAULT 1;
ALTER TABLE notifications ADD COLUMN due_ms INTEGER;
ALTER TABLE notifications ADD COLUMN lease_owner TEXT;
-- Incremented by every claim and by redeliver/delete: a completion carrying
-- an older token is fenced out.
ALTER TABLE notifications ADD COLUMN lease_token INTEGER NOT NULL DEFAULT 0;
-- Per-receiver progress in the current round, JSON owned by the store.
ALTER TABLE notifications ADD COLUMN receiver_state TEXT NOT NULL DEFAULT '';

UPDATE notifications SET due_ms = created_ms WHERE deleted_ms IS NULL;
CREATE INDEX notifications_due ON notifications (due_ms) WHERE due_ms IS NOT NULL;

CREATE TABLE deliveries (
  notification_id INTEGER NOT NULL REFERENCES notifications (id),
  seq             INTEGER NOT NULL,
  receiver        TEXT NOT NULL,
  round           INTEGER NOT NULL,
  attempt         INTEGER NOT NULL,
  started_ms      INTEGER NOT NULL,
  duration_ms     INTEGER NOT NULL,
  outcome         TEXT NOT NULL,
  http_status     INTEGER,
  error           TEXT,
  PRIMARY KEY (notification_id, seq)
) WITHOUT ROWID;

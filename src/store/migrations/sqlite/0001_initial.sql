-- Herald schema v1 (SQLite): inventory, vulnerabilities, notifications.

CREATE TABLE namespaces (
  id   INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);

CREATE TABLE features (
  id           INTEGER PRIMARY KEY,
  namespace_id INTEGER NOT NULL REFERENCES namespaces (id),
  name         TEXT NOT NULL,
  UNIQUE (namespace_id, name)
);

CREATE TABLE feature_versions (
  id         INTEGER PRIMARY KEY,
  feature_id INTEGER NOT NULL REFERENCES features (id),
  version    TEXT NOT NULL,
  UNIQUE (feature_id, version)
);

CREATE TABLE layers (
  id             INTEGER PRIMARY KEY,
  name           TEXT NOT NULL UNIQUE,
  parent_id      INTEGER REFERENCES layers (id),
  namespace_id   INTEGER REFERENCES namespaces (id),
  engine_version INTEGER NOT NULL,
  created_ms     INTEGER NOT NULL
);
CREATE INDEX layers_by_parent ON layers (parent_id);

-- The complete feature set of every layer; added_by names the ancestor (or
-- the layer itself) that introduced the feature version.
CREATE TABLE layer_features (
  layer_id           INTEGER NOT NULL REFERENCES layers (id),
  feature_version_id INTEGER NOT NULL REFERENCES feature_versions (id),
  added_by           INTEGER NOT NULL REFERENCES layers (id),
  PRIMARY KEY (layer_id, feature_version_id)
) WITHOUT ROWID;
-- "Which layers introduce this feature version?" without scanning layers.
CREATE INDEX layer_features_introducing ON layer_features (feature_version_id, layer_id)
  WHERE added_by = layer_id;
CREATE INDEX layer_features_by_added_by ON layer_features (added_by);

CREATE TABLE vulnerabilities (
  id           INTEGER PRIMARY KEY,
  namespace_id INTEGER NOT NULL REFERENCES namespaces (id),
  name         TEXT NOT NULL,
  description  TEXT NOT NULL,
  link         TEXT NOT NULL,
  severity     TEXT NOT NULL,
  metadata     TEXT NOT NULL,
  UNIQUE (namespace_id, name)
);

CREATE TABLE vulnerability_fixed_in (
  vulnerability_id INTEGER NOT NULL REFERENCES vulnerabilities (id),
  feature_name     TEXT NOT NULL,
  version          TEXT NOT NULL,
  PRIMARY KEY (vulnerability_id, feature_name)
) WITHOUT ROWID;
CREATE INDEX vulnerability_fixed_in_by_feature ON vulnerability_fixed_in (feature_name);

-- A notification freezes the vulnerability before (old_*) and after (new_*)
-- a change as JSON snapshots; the layers introducing each side are frozen in
-- notification_layers in a stable order.
CREATE TABLE notifications (
  id              INTEGER PRIMARY KEY,
  name            TEXT NOT NULL UNIQUE,
  created_ms      INTEGER NOT NULL,
  notified_ms     INTEGER,
  deleted_ms      INTEGER,
  old_snapshot    TEXT,
  new_snapshot    TEXT,
  old_layer_count INTEGER NOT NULL,
  new_layer_count INTEGER NOT NULL,
  status          TEXT NOT NULL DEFAULT 'pending'
);
CREATE INDEX notifications_by_status ON notifications (status, id);

CREATE TABLE notification_layers (
  notification_id INTEGER NOT NULL REFERENCES notifications (id),
  side            INTEGER NOT NULL,
  seq             INTEGER NOT NULL,
  layer_name      TEXT NOT NULL,
  PRIMARY KEY (notification_id, side, seq)
) WITHOUT ROWID;

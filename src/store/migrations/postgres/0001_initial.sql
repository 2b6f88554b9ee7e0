-- Herald schema v1 (PostgreSQL): inventory, vulnerabilities, notifications.
-- Same tables and meaning as the SQLite schema; see its comments.

CREATE TABLE namespaces (
  id   BIGSERIAL PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);

CREATE TABLE features (
  id           BIGSERIAL PRIMARY KEY,
  namespace_id BIGINT NOT NULL REFERENCES namespaces (id),
  name         TEXT NOT NULL,
  UNIQUE (namespace_id, name)
);

CREATE TABLE feature_versions (
  id         BIGSERIAL PRIMARY KEY,
  feature_id BIGINT NOT NULL REFERENCES features (id),
  version    TEXT NOT NULL,
  UNIQUE (feature_id, version)
);

CREATE TABLE layers (
  id             BIGSERIAL PRIMARY KEY,
  name           TEXT NOT NULL UNIQUE,
  parent_id      BIGINT REFERENCES layers (id),
  namespace_id   BIGINT REFERENCES namespaces (id),
  engine_version INTEGER NOT NULL,
  created_ms     BIGINT NOT NULL
);
CREATE INDEX layers_by_parent ON layers (parent_id);

CREATE TABLE layer_features (
  layer_id           BIGINT NOT NULL REFERENCES layers (id),
  feature_version_id BIGINT NOT NULL REFERENCES feature_versions (id),
  added_by           BIGINT NOT NULL REFERENCES layers (id),
  PRIMARY KEY (layer_id, feature_version_id)
);
CREATE INDEX layer_features_introducing ON layer_features (feature_version_id, layer_id)
  WHERE added_by = layer_id;
CREATE INDEX layer_features_by_added_by ON layer_features (added_by);

CREATE TABLE vulnerabilities (
  id           BIGSERIAL PRIMARY KEY,
  namespace_id BIGINT NOT NULL REFERENCES namespaces (id),
  name         TEXT NOT NULL,
  description  TEXT NOT NULL,
  link         TEXT NOT NULL,
  severity     TEXT NOT NULL,
  metadata     TEXT NOT NULL,
  UNIQUE (namespace_id, name)
);

CREATE TABLE vulnerability_fixed_in (
  vulnerability_id BIGINT NOT NULL REFERENCES vulnerabilities (id),
  feature_name     TEXT NOT NULL,
  version          TEXT NOT NULL,
  PRIMARY KEY (vulnerability_id, feature_name)
);
CREATE INDEX vulnerability_fixed_in_by_feature ON vulnerability_fixed_in (feature_name);

CREATE TABLE notifications (
  id              BIGSERIAL PRIMARY KEY,
  name            TEXT NOT NULL UNIQUE,
  created_ms      BIGINT NOT NULL,
  notified_ms     BIGINT,
  deleted_ms      BIGINT,
  old_snapshot    TEXT,
  new_snapshot    TEXT,
  old_layer_count BIGINT NOT NULL,
  new_layer_count BIGINT NOT NULL,
  status          TEXT NOT NULL DEFAULT 'pending'
);
CREATE INDEX notifications_by_status ON notifications (status, id);

CREATE TABLE notification_layers (
  notification_id BIGINT NOT NULL REFERENCES notifications (id),
  side            INTEGER NOT NULL,
  seq             BIGINT NOT NULL,
  layer_name      TEXT NOT NULL,
  PRIMARY KEY (notification_id, side, seq)
);

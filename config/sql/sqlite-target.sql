-- The portal's tables on SQLite, the target of config/mariadb-to-sqlite.yaml.
CREATE TABLE IF NOT EXISTS portal_groups (
  id     TEXT PRIMARY KEY,
  title  TEXT NOT NULL,
  parent TEXT NULL REFERENCES portal_groups(id) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE IF NOT EXISTS portal_users (
  id          TEXT PRIMARY KEY,
  login       TEXT NOT NULL UNIQUE,
  given_name  TEXT NULL,
  family_name TEXT NULL,
  mail        TEXT NULL,
  title       TEXT NULL,
  employee_no TEXT NULL,
  enabled     INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE IF NOT EXISTS portal_memberships (
  user_id  TEXT NOT NULL REFERENCES portal_users(id) DEFERRABLE INITIALLY DEFERRED,
  group_id TEXT NOT NULL REFERENCES portal_groups(id) DEFERRABLE INITIALLY DEFERRED,
  PRIMARY KEY (user_id, group_id)
);

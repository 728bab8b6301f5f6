-- The portal's tables on PostgreSQL (schema "portal"), the target of
-- config/mariadb-to-postgres.yaml.
CREATE SCHEMA IF NOT EXISTS portal;

CREATE TABLE IF NOT EXISTS portal.portal_groups (
  id     text PRIMARY KEY,
  title  text NOT NULL,
  parent text NULL REFERENCES portal.portal_groups(id) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE IF NOT EXISTS portal.portal_users (
  id          text PRIMARY KEY,
  login       text NOT NULL UNIQUE,
  given_name  text NULL,
  family_name text NULL,
  mail        text NULL,
  title       text NULL,
  employee_no text NULL,
  enabled     boolean NOT NULL DEFAULT true
);

CREATE TABLE IF NOT EXISTS portal.portal_memberships (
  user_id  text NOT NULL REFERENCES portal.portal_users(id) DEFERRABLE INITIALLY DEFERRED,
  group_id text NOT NULL REFERENCES portal.portal_groups(id) DEFERRABLE INITIALLY DEFERRED,
  PRIMARY KEY (user_id, group_id)
);

-- The seed layout of the HR source on SQL Server, used by config/sqlserver-to-sqlite.yaml and
-- the tests: the same tables as config/sql/mariadb-source.sql, with change tracking on each.
-- The database needs change tracking and snapshot isolation first:
--   ALTER DATABASE [hr] SET CHANGE_TRACKING = ON (CHANGE_RETENTION = 7 DAYS, AUTO_CLEANUP = ON)
--   ALTER DATABASE [hr] SET ALLOW_SNAPSHOT_ISOLATION ON
CREATE TABLE sync_groups (
  id        INT NOT NULL PRIMARY KEY,
  name      NVARCHAR(255) NOT NULL,
  parent_id INT NULL
);

CREATE TABLE sync_users (
  id              INT NOT NULL PRIMARY KEY,
  username        NVARCHAR(255) NOT NULL UNIQUE,
  first_name      NVARCHAR(255) NULL,
  last_name       NVARCHAR(255) NULL,
  email           NVARCHAR(255) NULL,
  job_title       NVARCHAR(255) NULL,
  employee_number NVARCHAR(32)  NULL,
  is_active       BIT           NOT NULL DEFAULT 1,
  updated_at      DATETIME2(3)  NULL
);

CREATE TABLE sync_users_groups_rel (
  user_id  INT NOT NULL,
  group_id INT NOT NULL,
  PRIMARY KEY (user_id, group_id)
);

ALTER TABLE sync_groups ENABLE CHANGE_TRACKING WITH (TRACK_COLUMNS_UPDATED = ON);
ALTER TABLE sync_users ENABLE CHANGE_TRACKING WITH (TRACK_COLUMNS_UPDATED = ON);
ALTER TABLE sync_users_groups_rel ENABLE CHANGE_TRACKING WITH (TRACK_COLUMNS_UPDATED = ON);

INSERT INTO sync_groups (id, name, parent_id) VALUES
  (1, N'Acme', NULL), (2, N'Engineering', 1), (3, N'Platform', 2), (4, N'Sales', 1);

INSERT INTO sync_users (id, username, first_name, last_name, email, job_title, employee_number, is_active) VALUES
  (1, N'bjensen', N'Barbara', N'Jensen', N'bjensen@example.com', N'Tour Guide', N'701984', 1),
  (2, N'jsmith', N'John', N'Smith', N'jsmith@example.com', N'Engineer', N'701985', 1),
  (3, N'mmüller', N'Maria', N'Müller', N'mmueller@example.com', N'Engineer', N'701986', 1),
  (4, N'kleft', N'Kim', N'Left', N'kleft@example.com', NULL, N'701987', 0);

INSERT INTO sync_users_groups_rel (user_id, group_id) VALUES (1, 4), (2, 2), (3, 3), (4, 3);

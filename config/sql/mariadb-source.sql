-- The seed layout of the HR source (MariaDB/MySQL), used by config/mariadb-to-*.yaml,
-- scripts/demo and the tests. A few rows so that a first load has something to copy.
CREATE TABLE IF NOT EXISTS sync_groups (
  id        INT UNSIGNED NOT NULL PRIMARY KEY,
  name      VARCHAR(255) NOT NULL,
  parent_id INT UNSIGNED NULL,
  KEY (parent_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS sync_users (
  id              INT UNSIGNED NOT NULL PRIMARY KEY,
  username        VARCHAR(255) NOT NULL UNIQUE,
  first_name      VARCHAR(255) NULL,
  last_name       VARCHAR(255) NULL,
  email           VARCHAR(255) NULL,
  job_title       VARCHAR(255) NULL,
  employee_number VARCHAR(32)  NULL,
  is_active       TINYINT(1)   NOT NULL DEFAULT 1,
  updated_at      TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS sync_users_groups_rel (
  user_id  INT UNSIGNED NOT NULL,
  group_id INT UNSIGNED NOT NULL,
  PRIMARY KEY (user_id, group_id),
  KEY (group_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

INSERT IGNORE INTO sync_groups (id, name, parent_id) VALUES
  (1, 'Acme', NULL), (2, 'Engineering', 1), (3, 'Platform', 2), (4, 'Sales', 1);

INSERT IGNORE INTO sync_users (id, username, first_name, last_name, email, job_title, employee_number, is_active) VALUES
  (1, 'bjensen', 'Barbara', 'Jensen', 'bjensen@example.com', 'Tour Guide', '701984', 1),
  (2, 'jsmith', 'John', 'Smith', 'jsmith@example.com', 'Engineer', '701985', 1),
  (3, 'mmüller', 'Maria', 'Müller', 'mmueller@example.com', 'Engineer', '701986', 1),
  (4, 'kleft', 'Kim', 'Left', 'kleft@example.com', NULL, '701987', 0);

INSERT IGNORE INTO sync_users_groups_rel (user_id, group_id) VALUES (1, 4), (2, 2), (3, 3), (4, 3);

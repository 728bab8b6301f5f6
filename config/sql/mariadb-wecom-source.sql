-- The HR tables config/wecom-from-mariadb.yaml reads (MariaDB/MySQL, binlog_format ROW).
CREATE TABLE staff (
  id VARCHAR(64) PRIMARY KEY,
  full_name VARCHAR(64) NOT NULL,
  mobile VARCHAR(32),
  email VARCHAR(64),
  title VARCHAR(64),
  active TINYINT(1) NOT NULL DEFAULT 1
) CHARACTER SET utf8mb4;
CREATE TABLE teams (
  id INT PRIMARY KEY,
  name VARCHAR(32) NOT NULL,
  parent_id INT NULL
) CHARACTER SET utf8mb4;
CREATE TABLE staff_teams (
  staff_id VARCHAR(64) NOT NULL,
  team_id INT NOT NULL,
  PRIMARY KEY (staff_id, team_id)
) CHARACTER SET utf8mb4;

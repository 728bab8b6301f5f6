-- The paced writer of bench/replication-lag, run inside the server (no client round trip
-- between transactions). bench.write(first_id, total, rate, batch) inserts `total` new users
-- into hr.sync_users with ids first_id .. first_id + total - 1, `batch` rows per transaction,
-- keeping to `rate` rows per second from its start (it sleeps when ahead; when it cannot keep
-- up it writes as fast as it can, and the achieved rate says so). It notes each transaction's
-- number, the wall clock just before its COMMIT and the wall clock when COMMIT returned in a
-- TEMPORARY table, which row-based binary
-- logging does not log (MariaDB docs, "Binary Log Formats": temporary tables are not logged
-- in ROW format), so the measurement adds nothing to the stream scimsync reads. The procedure
-- ends by returning those rows: transaction number, COMMIT issued, COMMIT returned (Unix
-- seconds with microseconds). The binlog is written inside COMMIT, so scimsync may see a
-- transaction before COMMIT returns to the writer: lags are measured from COMMIT issued (an
-- upper bound by the COMMIT's own duration, which is reported too).
CREATE DATABASE IF NOT EXISTS bench;
DROP PROCEDURE IF EXISTS bench.write;
DELIMITER //
CREATE PROCEDURE bench.write(first_id INT UNSIGNED, total INT UNSIGNED, rate INT UNSIGNED, batch INT UNSIGNED)
BEGIN
    DECLARE written INT UNSIGNED DEFAULT 0;
    DECLARE tx_number INT UNSIGNED DEFAULT 0;
    DECLARE rows_now INT UNSIGNED;
    DECLARE started DECIMAL(20, 6) DEFAULT UNIX_TIMESTAMP(SYSDATE(6));
    DECLARE ahead DECIMAL(20, 6);
    DECLARE issued_at DECIMAL(20, 6);
    DROP TEMPORARY TABLE IF EXISTS bench_commits;
    CREATE TEMPORARY TABLE bench_commits (tx INT UNSIGNED PRIMARY KEY, committing DECIMAL(20, 6) NOT NULL,
        committed DECIMAL(20, 6) NOT NULL) ENGINE = MEMORY;
    WHILE written < total DO
        SET rows_now = LEAST(batch, total - written);
        START TRANSACTION;
        INSERT INTO hr.sync_users (id, username, first_name, last_name, email, job_title, employee_number, is_active)
        SELECT first_id + written + seq - 1, CONCAT('lag', first_id + written + seq - 1),
            ELT(1 + seq % 6, 'Alice', 'Chloé', 'Dmitri', 'Inès', 'José', 'Łucja'),
            ELT(1 + seq % 4, 'Smith', 'Müller', 'Øster', 'O''Brien'),
            CONCAT('lag', first_id + written + seq - 1, '@example.com'),
            IF(seq % 5 = 0, NULL, 'Engineer'), CONCAT('E', first_id + written + seq - 1), 1
        FROM seq_1_to_1000 WHERE seq <= rows_now;
        SET issued_at = UNIX_TIMESTAMP(SYSDATE(6));
        COMMIT;
        INSERT INTO bench_commits VALUES (tx_number, issued_at, UNIX_TIMESTAMP(SYSDATE(6)));
        SET written = written + rows_now, tx_number = tx_number + 1;
        SET ahead = started + written / rate - UNIX_TIMESTAMP(SYSDATE(6));
        IF ahead > 0 THEN
            DO SLEEP(ahead);
        END IF;
    END WHILE;
    SELECT tx, committing, committed FROM bench_commits ORDER BY tx;
    DROP TEMPORARY TABLE bench_commits;
END //
DELIMITER ;

"""Snapshot isolation, concurrent sessions, restart with the same directory."""
import threading
import time

from .helper import PeerTestCase


class SnapshotTest(PeerTestCase):
    def setUp(self):
        super().setUp()
        self.cur = self.ms().cursor()
        self.cur.execute("CREATE TABLE t (id INT PRIMARY KEY, v INT)")
        self.cur.execute("INSERT INTO t VALUES (1, 10)")

    def test_snapshot_not_allowed_is_3952(self):
        cur = self.td().cursor()
        cur.execute("SET TRANSACTION ISOLATION LEVEL SNAPSHOT")
        cur.execute("BEGIN TRAN")
        # catalog functions do not touch user data: no error yet
        cur.execute("SELECT @@TRANCOUNT")
        cur.fetchall()
        self.assertSqlError(3952, cur.execute, "SELECT * FROM t")
        cur2 = self.ms().cursor()
        cur2.execute("SET TRANSACTION ISOLATION LEVEL SNAPSHOT")
        self.assertSqlError(3952, cur2.execute, "SELECT * FROM t")

    def test_snapshot_reads_see_data_as_of_first_read(self):
        self.cur.execute("ALTER DATABASE %s SET ALLOW_SNAPSHOT_ISOLATION ON" % self.dbname)
        reader = self.ms().cursor()
        reader.execute("SET TRANSACTION ISOLATION LEVEL SNAPSHOT; BEGIN TRAN")
        reader.execute("SELECT v FROM t WHERE id = 1")
        self.assertEqual(reader.fetchall(), [(10,)])
        writer = self.td().cursor()
        writer.execute("UPDATE t SET v = 20 WHERE id = 1")
        writer.execute("INSERT INTO t VALUES (2, 30)")
        reader.execute("SELECT COUNT(*), MAX(v) FROM t")
        self.assertEqual(reader.fetchall(), [(1, 10)])
        reader.execute("COMMIT")
        reader.execute("SELECT COUNT(*), MAX(v) FROM t")
        self.assertEqual(reader.fetchall(), [(2, 30)])

    def test_snapshot_write_after_concurrent_commit_is_3960(self):
        self.cur.execute("ALTER DATABASE %s SET ALLOW_SNAPSHOT_ISOLATION ON" % self.dbname)
        a = self.ms().cursor()
        a.execute("SET TRANSACTION ISOLATION LEVEL SNAPSHOT; BEGIN TRAN; SELECT * FROM t")
        a.fetchall()
        self.td().cursor().execute("UPDATE t SET v = 11 WHERE id = 1")
        self.assertSqlError(3960, a.execute, "UPDATE t SET v = 12 WHERE id = 1")
        a.execute("SELECT @@TRANCOUNT")
        self.assertEqual(a.fetchone(), (0,))


class SessionsTest(PeerTestCase):
    def setUp(self):
        super().setUp()
        self.ms().cursor().execute("CREATE TABLE t (id INT PRIMARY KEY)")

    def test_read_committed_reader_waits_for_uncommitted_changes(self):
        # READ_COMMITTED_SNAPSHOT OFF (SQL Server's default): a reader waits for
        # the writer's transaction, then sees the committed row.
        a = self.ms().cursor()
        a.execute("BEGIN TRAN; INSERT INTO t VALUES (1)")
        result = {}

        def reader():
            cur = self.peer.pytds(database=self.dbname).cursor()
            cur.execute("SELECT COUNT(*) FROM t")
            result["count"] = cur.fetchone()[0]
            result["at"] = time.monotonic()

        th = threading.Thread(target=reader)
        th.start()
        time.sleep(0.5)
        self.assertNotIn("count", result)
        committed = time.monotonic()
        a.execute("COMMIT")
        th.join(10)
        self.assertEqual(result.get("count"), 1)
        self.assertGreaterEqual(result["at"], committed)

    def test_readers_of_other_tables_do_not_wait(self):
        self.ms().cursor().execute("CREATE TABLE other (id INT PRIMARY KEY); INSERT INTO other VALUES (7)")
        a = self.ms().cursor()
        a.execute("BEGIN TRAN; INSERT INTO t VALUES (1)")
        b = self.td().cursor()
        b.execute("SELECT id FROM other")
        self.assertEqual(b.fetchone()[0], 7)
        a.execute("ROLLBACK")

    def test_reader_times_out_with_1222(self):
        a = self.ms().cursor()
        a.execute("BEGIN TRAN; INSERT INTO t VALUES (1)")
        b = self.td().cursor()
        self.assertSqlError(1222, b.execute, "SELECT * FROM t")
        a.execute("ROLLBACK")
        b.execute("SELECT COUNT(*) FROM t")
        self.assertEqual(b.fetchone()[0], 0)

    def test_uncommitted_changes_are_invisible_with_read_committed_snapshot(self):
        self.ms(database="master").cursor().execute("ALTER DATABASE %s SET READ_COMMITTED_SNAPSHOT ON" % self.dbname)
        a = self.ms().cursor()
        b = self.td().cursor()
        a.execute("BEGIN TRAN; INSERT INTO t VALUES (1)")
        b.execute("SELECT COUNT(*) FROM t")
        self.assertEqual(b.fetchone()[0], 0)
        a.execute("COMMIT")
        b.execute("SELECT COUNT(*) FROM t")
        self.assertEqual(b.fetchone()[0], 1)

    def test_each_session_has_its_own_database_context(self):
        a = self.ms(database="master").cursor()
        b = self.td().cursor()
        a.execute("SELECT DB_NAME()")
        b.execute("SELECT DB_NAME()")
        self.assertEqual((a.fetchone()[0], b.fetchone()[0]), ("master", self.dbname))

    def test_a_writer_waits_for_another_writers_transaction(self):
        a = self.ms().cursor()
        a.execute("BEGIN TRAN; INSERT INTO t VALUES (1)")
        result = {}

        def other():
            try:
                cur = self.peer.pytds(database=self.dbname).cursor()
                cur.execute("INSERT INTO t VALUES (2)")
                result["ok"] = time.monotonic()
            except Exception as e:  # pragma: no cover
                result["err"] = e

        th = threading.Thread(target=other)
        th.start()
        time.sleep(0.5)
        committed = time.monotonic()
        a.execute("COMMIT")
        th.join(10)
        self.assertIn("ok", result, result)
        self.assertGreaterEqual(result["ok"], committed)

    def test_a_reading_transaction_does_not_block_readers(self):
        a = self.td(autocommit=False).cursor()
        a.execute("SELECT COUNT(*) FROM t")
        a.fetchall()
        b = self.ms().cursor()
        b.execute("SELECT COUNT(*) FROM t")
        self.assertEqual(b.fetchone()[0], 0)

    def test_read_committed_transaction_sees_new_commits_and_blocks_no_writer(self):
        a = self.ms(autocommit=False).cursor()
        a.execute("SELECT COUNT(*) FROM t")
        self.assertEqual(a.fetchone()[0], 0)
        w = self.td().cursor()
        w.execute("INSERT INTO t VALUES (1)")   # not blocked by a's reading transaction
        a.execute("SELECT COUNT(*) FROM t")
        self.assertEqual(a.fetchone()[0], 1)    # READ COMMITTED: each statement sees the latest commits
        a.execute("INSERT INTO t VALUES (2)")   # a's first write takes the write lock
        self.assertSqlError(1222, w.execute, "INSERT INTO t VALUES (3)")
        a.connection.commit()
        w.execute("INSERT INTO t VALUES (3)")
        w.execute("SELECT COUNT(*) FROM t")
        self.assertEqual(w.fetchone()[0], 3)

    def test_a_closed_connection_rolls_back_its_transaction(self):
        conn = self.peer.pymssql(database=self.dbname)
        conn.cursor().execute("BEGIN TRAN; INSERT INTO t VALUES (1)")
        conn.close()
        b = self.td().cursor()
        deadline = time.monotonic() + 5
        while True:
            try:
                b.execute("INSERT INTO t VALUES (2)")
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
        b.execute("SELECT id FROM t")
        self.assertEqual([r[0] for r in b.fetchall()], [2])

    def test_lock_timeout_is_1222(self):
        a = self.ms().cursor()
        a.execute("BEGIN TRAN; INSERT INTO t VALUES (1)")
        b = self.td().cursor()
        self.assertSqlError(1222, b.execute, "INSERT INTO t VALUES (2)")
        b.execute("SET LOCK_TIMEOUT 100")
        started = time.monotonic()
        self.assertSqlError(1222, b.execute, "INSERT INTO t VALUES (2)")
        self.assertLess(time.monotonic() - started, 1.5)
        a.execute("ROLLBACK")


class RestartTest(PeerTestCase):
    def test_restart_keeps_databases_and_change_tracking(self):
        cur = self.ms().cursor()
        cur.execute("ALTER DATABASE %s SET CHANGE_TRACKING = ON" % self.dbname)
        cur.execute("CREATE TABLE t (id INT IDENTITY(1,1) PRIMARY KEY, v NVARCHAR(10))")
        cur.execute("ALTER TABLE t ENABLE CHANGE_TRACKING")
        cur.execute("INSERT INTO t (v) VALUES (N'a'), (N'b')")
        for c in self.conns:
            c.close()
        self.conns = []
        self.peer.stop()
        self.peer.start()
        cur = self.td().cursor()
        cur.execute("SELECT CHANGE_TRACKING_CURRENT_VERSION(), COUNT(*) FROM t")
        self.assertEqual(tuple(cur.fetchone()), (1, 2))
        cur.execute("INSERT INTO t (v) VALUES (N'c'); SELECT SCOPE_IDENTITY()")
        cur.execute("SELECT MAX(id) FROM t")
        self.assertEqual(cur.fetchone()[0], 3)
        cur.execute("SELECT COUNT(*) FROM CHANGETABLE(CHANGES t, 0) AS c")
        self.assertEqual(cur.fetchone()[0], 3)

"""Error numbers as SQL Server sends them, and what a failing statement does
to the batch and the transaction."""
from .helper import PeerTestCase


class ErrorsTest(PeerTestCase):
    def setUp(self):
        super().setUp()
        self.cur = self.ms().cursor()
        self.cur.execute("""CREATE TABLE parent (id INT PRIMARY KEY, code NVARCHAR(5) NOT NULL UNIQUE)""")
        self.cur.execute("""CREATE TABLE child (id INT IDENTITY(1,1) PRIMARY KEY,
            pid INT NOT NULL REFERENCES parent (id), note NVARCHAR(3) NULL)""")
        self.cur.execute("CREATE UNIQUE INDEX ix_note ON child (note)")
        self.cur.execute("INSERT INTO parent VALUES (1, N'a')")

    def check(self, number, sql, params=None):
        for conn in (self.ms(), self.td()):
            cur = conn.cursor()
            exc = self.assertSqlError(number, cur.execute, sql, params) if params else \
                self.assertSqlError(number, cur.execute, sql)
        return exc

    def test_syntax_errors(self):
        self.check(102, "SELECT * FROM parent WHERE")
        self.check(156, "SELECT * FROM WHERE id = 1")
        self.check(102, "SELEC 1")

    def test_invalid_object_and_column(self):
        self.check(208, "SELECT * FROM nope")
        self.check(207, "SELECT nope FROM parent")
        self.check(207, "UPDATE parent SET nope = 1")
        # names are bound before any row is read: an empty table still fails
        self.check(207, "SELECT id FROM child WHERE nope = 1")
        self.check(207, "DELETE FROM child WHERE nope = 1")
        self.check(207, "UPDATE child SET note = nope")
        self.check(207, "SELECT c.id FROM child c LEFT JOIN parent p ON p.nope = c.pid")
        self.check(207, "SELECT id FROM child ORDER BY nope")

    def test_constraint_errors(self):
        self.check(2627, "INSERT INTO parent VALUES (1, N'b')")
        self.check(2627, "INSERT INTO parent VALUES (2, N'A')")  # UNIQUE constraint, case-insensitive
        self.cur.execute("INSERT INTO child (pid, note) VALUES (1, N'x')")
        self.check(2601, "INSERT INTO child (pid, note) VALUES (1, N'X')")
        self.check(547, "INSERT INTO child (pid) VALUES (99)")
        self.check(547, "DELETE FROM parent WHERE id = 1")
        self.check(515, "INSERT INTO parent (id) VALUES (3)")
        self.check(515, "UPDATE parent SET code = NULL")
        self.check(2628, "INSERT INTO parent VALUES (4, N'toolong')")
        self.check(2628, "UPDATE child SET note = N'abcd'")
        self.check(544, "INSERT INTO child (id, pid) VALUES (5, 1)")

    def test_conversion_error(self):
        self.check(245, "SELECT * FROM parent WHERE id = N'abc'")
        self.check(245, "INSERT INTO parent VALUES (N'x', N'y')")

    def test_database_errors(self):
        self.check(911, "USE no_such_db")
        self.check(1801, "CREATE DATABASE %s" % self.dbname)
        self.check(226, "BEGIN TRAN; CREATE DATABASE other_db")

    def test_transaction_count_errors(self):
        self.check(3902, "COMMIT")
        self.check(3903, "ROLLBACK")

    def test_unsupported_is_an_error_not_a_wrong_answer(self):
        exc = self.check(50000, "SELECT code FROM parent UNION SELECT code FROM parent")
        self.assertIn("Not supported by this test server", str(exc))

    def test_error_message_fields(self):
        cur = self.td().cursor()
        exc = self.assertSqlError(2627, cur.execute, "SET NOCOUNT ON\nINSERT INTO parent VALUES (1, N'z')")
        self.assertEqual(exc.severity, 14)
        self.assertEqual(exc.line, 2)
        self.assertIn("Violation of PRIMARY KEY constraint", str(exc))
        self.assertIn("The duplicate key value is (1).", str(exc))


class BatchRulesTest(PeerTestCase):
    def setUp(self):
        super().setUp()
        self.cur = self.ms().cursor()
        self.cur.execute("CREATE TABLE t (id INT PRIMARY KEY)")

    def count(self):
        cur = self.ms().cursor()
        cur.execute("SELECT COUNT(*) FROM t")
        return cur.fetchone()[0]

    def test_statement_error_undoes_only_that_statement_and_batch_continues(self):
        cur = self.td().cursor()
        with self.assertRaises(Exception):
            # the error follows the first statement's DONE: the client sees it on the next result
            cur.execute("INSERT INTO t VALUES (1); INSERT INTO t VALUES (1), (2); INSERT INTO t VALUES (3)")
            while cur.nextset():
                pass
        cur2 = self.ms().cursor()
        cur2.execute("SELECT id FROM t ORDER BY id")
        self.assertEqual(cur2.fetchall(), [(1,), (3,)])

    def test_statement_error_inside_transaction_keeps_the_transaction(self):
        conn = self.ms()
        cur = conn.cursor()
        with self.assertRaises(Exception):
            cur.execute("BEGIN TRAN; INSERT INTO t VALUES (1); INSERT INTO t VALUES (1)")
        cur.execute("SELECT @@TRANCOUNT, COUNT(*) FROM t")
        self.assertEqual(cur.fetchone(), (1, 1))
        cur.execute("ROLLBACK")
        self.assertEqual(self.count(), 0)

    def test_xact_abort_rolls_back_the_transaction(self):
        cur = self.ms().cursor()
        with self.assertRaises(Exception):
            cur.execute("SET XACT_ABORT ON; BEGIN TRAN; INSERT INTO t VALUES (1); INSERT INTO t VALUES (1); INSERT INTO t VALUES (2)")
        cur.execute("SELECT @@TRANCOUNT")
        self.assertEqual(cur.fetchone(), (0,))
        self.assertEqual(self.count(), 0)

    def test_conversion_error_aborts_batch_and_rolls_back(self):
        cur = self.ms().cursor()
        with self.assertRaises(Exception):
            cur.execute("BEGIN TRAN; INSERT INTO t VALUES (1); INSERT INTO t VALUES (N'x'); INSERT INTO t VALUES (2)")
        cur.execute("SELECT @@TRANCOUNT")
        self.assertEqual(cur.fetchone(), (0,))
        self.assertEqual(self.count(), 0)

    def test_syntax_error_runs_nothing(self):
        cur = self.ms().cursor()
        with self.assertRaises(Exception):
            cur.execute("INSERT INTO t VALUES (1); SELECT FROM")
        self.assertEqual(self.count(), 0)

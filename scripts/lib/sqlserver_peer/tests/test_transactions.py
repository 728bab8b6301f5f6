"""Transactions by SQL and by the TDS transaction manager (python-tds with autocommit off)."""
from .helper import PeerTestCase


class TransactionsTest(PeerTestCase):
    def setUp(self):
        super().setUp()
        self.ms().cursor().execute("CREATE TABLE t (id INT PRIMARY KEY, v NVARCHAR(20))")

    def ids(self):
        cur = self.ms().cursor()
        cur.execute("SELECT id FROM t ORDER BY id")
        return [r[0] for r in cur.fetchall()]

    def test_sql_commit_and_rollback(self):
        cur = self.ms().cursor()
        cur.execute("BEGIN TRANSACTION; INSERT INTO t VALUES (1, N'a'); COMMIT")
        cur.execute("BEGIN TRAN; INSERT INTO t VALUES (2, N'b'); SELECT @@TRANCOUNT")
        self.assertEqual(cur.fetchone(), (1,))
        cur.execute("ROLLBACK")
        self.assertEqual(self.ids(), [1])

    def test_nested_begin_needs_matching_commits(self):
        cur = self.ms().cursor()
        cur.execute("BEGIN TRAN; BEGIN TRAN; INSERT INTO t VALUES (1, N'a'); COMMIT; SELECT @@TRANCOUNT")
        self.assertEqual(cur.fetchone(), (1,))
        cur.execute("ROLLBACK; SELECT @@TRANCOUNT")
        self.assertEqual(cur.fetchone(), (0,))
        self.assertEqual(self.ids(), [])

    def test_pytds_transaction_manager_requests(self):
        conn = self.td(autocommit=False)
        cur = conn.cursor()
        cur.execute("INSERT INTO t VALUES (%s, %s)", (1, "x"))
        conn.rollback()
        self.assertEqual(self.ids(), [])
        cur.execute("INSERT INTO t VALUES (%s, %s)", (2, "y"))
        conn.commit()
        self.assertEqual(self.ids(), [2])
        cur.execute("SELECT @@TRANCOUNT")
        self.assertEqual(cur.fetchone()[0], 1)  # pytds begins the next transaction with the commit
        conn.commit()

    def test_pymssql_autocommit_off(self):
        conn = self.ms(autocommit=False)
        cur = conn.cursor()
        cur.execute("INSERT INTO t VALUES (%s, %s)", (5, "five"))
        conn.rollback()
        cur.execute("INSERT INTO t VALUES (%s, %s)", (6, "six"))
        conn.commit()
        self.assertEqual(self.ids(), [6])

"""Attention (MS-TDS 2.2.1.7) while a statement runs: the statement stops, its work is
undone, an open transaction stays open (XACT_ABORT OFF), the connection goes on.

The cancels come from pytds, a client we did not write: when its timeout runs out before
the first reply packet it sends an ATTENTION and, on the next call, reads up to the DONE
carrying DONE_ATTN. Had the server only looked for attentions between statements, that
next call would wait for the slow statement to finish (a minute and more), so each test
bounds it far below that."""
import time

from .helper import PASSWORD, PeerTestCase, pytds

# Far beyond every bound below: only a stopped statement lets a test pass.
SLOW_SECONDS = 120
BOUND = 30


class AttentionTest(PeerTestCase):
    def setUp(self):
        super().setUp()
        cur = self.ms().cursor()
        cur.execute("CREATE TABLE t (id int PRIMARY KEY, n nvarchar(20))")
        for start in range(0, 3000, 1000):
            cur.execute("INSERT INTO t VALUES " + ", ".join("(%d, N'x')" % i for i in range(start, start + 1000)))
        cur.execute("CREATE TABLE kept (id int PRIMARY KEY)")

    def impatient(self):
        """A pytds connection that gives up after one second and sends an attention."""
        c = pytds.connect(server="127.0.0.1", port=self.peer.port, user="sa", password=PASSWORD,
                          database=self.dbname, autocommit=True, login_timeout=5, timeout=1)
        self.conns.append(c)
        return c

    def stats(self):
        cur = self.ms().cursor()
        cur.execute("EXEC sys.sp_peer_stats")
        return cur.fetchall()[0]

    def cancel(self, conn, sql):
        """Runs sql on conn until pytds's timeout cancels it; returns how long the next
        statement (which first drains the cancelled one) took, and its result."""
        cur = conn.cursor()
        with self.assertRaises(Exception) as cm:
            cur.execute(sql)
        self.assertIsInstance(cm.exception, pytds.TimeoutError, repr(cm.exception))
        conn._tds_socket.sock.settimeout(BOUND * 2)
        started = time.monotonic()
        cur.execute("SELECT @@TRANCOUNT, (SELECT COUNT(*) FROM kept)")
        row = cur.fetchone()
        return time.monotonic() - started, tuple(row)

    def test_waitfor_delay_waits(self):
        cur = self.ms().cursor()
        started = time.monotonic()
        cur.execute("WAITFOR DELAY '00:00:00.300'; SELECT 1")
        self.assertEqual(cur.fetchone()[0], 1)
        self.assertGreaterEqual(time.monotonic() - started, 0.3)
        self.assertSqlError(148, cur.execute, "WAITFOR DELAY '00:61'")
        self.assertSqlError(50000, cur.execute, "WAITFOR TIME '10:00'")

    def test_attention_stops_waitfor(self):
        before = self.stats()
        took, row = self.cancel(self.impatient(), "WAITFOR DELAY '00:02:00'")
        self.assertLess(took, BOUND)
        self.assertEqual(row, (0, 0))
        after = self.stats()
        # pymssql sends attentions of its own (this test's stats connections): at least one
        self.assertGreaterEqual(after[0] - before[0], 1)
        self.assertEqual(after[1] - before[1], 1, "the attention stopped the running statement")

    def test_attention_stops_a_row_loop(self):
        # about nine million row evaluations: minutes for this server
        slow = "SELECT COUNT(*) FROM t a WHERE (SELECT COUNT(*) FROM t b WHERE b.id <= a.id) > 0"
        before = self.stats()
        took, _ = self.cancel(self.impatient(), slow)
        self.assertLess(took, BOUND)
        self.assertEqual(self.stats()[1] - before[1], 1)

    def test_attention_stops_a_lock_wait(self):
        holder = self.ms(autocommit=False)
        holder.cursor().execute("UPDATE t SET n = N'y' WHERE id = 1")
        before = self.stats()
        took, _ = self.cancel(self.impatient(), "SET LOCK_TIMEOUT %d; SELECT n FROM t WHERE id = 1" % (SLOW_SECONDS * 1000))
        self.assertLess(took, BOUND)
        self.assertEqual(self.stats()[1] - before[1], 1)
        holder.rollback()

    def test_cancelled_statement_is_undone_and_the_transaction_stays_open(self):
        conn = self.impatient()
        cur = conn.cursor()
        cur.execute("BEGIN TRAN; INSERT INTO kept VALUES (1)")
        slow = "INSERT INTO kept VALUES (2); INSERT INTO kept SELECT id + 10 FROM t a WHERE (SELECT COUNT(*) FROM t b WHERE b.id <= a.id) > 0"
        took, row = self.cancel(conn, slow)
        self.assertLess(took, BOUND)
        # the batch's first statement ran and stays; the cancelled one is undone; no rollback
        self.assertEqual(row, (1, 2))
        conn.cursor().execute("COMMIT")
        check = self.ms().cursor()
        check.execute("SELECT id FROM kept ORDER BY id")
        self.assertEqual(check.fetchall(), [(1,), (2,)])

    def test_xact_abort_rolls_back_on_attention(self):
        conn = self.impatient()
        cur = conn.cursor()
        cur.execute("SET XACT_ABORT ON; BEGIN TRAN; INSERT INTO kept VALUES (1)")
        took, row = self.cancel(conn, "WAITFOR DELAY '00:02:00'")
        self.assertLess(took, BOUND)
        self.assertEqual(row, (0, 0))

    def test_autocommit_statement_is_undone(self):
        conn = self.impatient()
        slow = "INSERT INTO kept SELECT id FROM t a WHERE (SELECT COUNT(*) FROM t b WHERE b.id <= a.id) > 0"
        took, row = self.cancel(conn, slow)
        self.assertLess(took, BOUND)
        self.assertEqual(row, (0, 0))

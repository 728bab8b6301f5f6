"""Change tracking: versions, net changes, column masks, context, minimum
valid version after TRUNCATE and forced cleanup, catalog views."""
from .helper import PeerTestCase

CHANGES = """SELECT c.SYS_CHANGE_OPERATION, c.id, c.SYS_CHANGE_VERSION, c.SYS_CHANGE_CREATION_VERSION, t.name
             FROM CHANGETABLE(CHANGES dbo.users, %s) AS c
             LEFT JOIN dbo.users AS t ON t.id = c.id
             ORDER BY c.id"""


class ChangeTrackingTest(PeerTestCase):
    def setUp(self):
        super().setUp()
        self.cur = self.ms().cursor()
        self.cur.execute("ALTER DATABASE %s SET CHANGE_TRACKING = ON (CHANGE_RETENTION = 2 DAYS, AUTO_CLEANUP = ON)" % self.dbname)
        self.cur.execute("CREATE TABLE dbo.users (id INT NOT NULL PRIMARY KEY, name NVARCHAR(50) NOT NULL, mail NVARCHAR(100) NULL)")
        self.cur.execute("ALTER TABLE dbo.users ENABLE CHANGE_TRACKING WITH (TRACK_COLUMNS_UPDATED = ON)")

    def version(self):
        cur = self.td().cursor()
        cur.execute("SELECT CHANGE_TRACKING_CURRENT_VERSION()")
        return cur.fetchone()[0]

    def changes(self, since):
        cur = self.td().cursor()
        cur.execute(CHANGES, (since,))
        return [tuple(r) for r in cur.fetchall()]

    def test_version_counts_committed_transactions(self):
        v0 = self.version()
        self.assertEqual(v0, 0)
        self.cur.execute("INSERT INTO users VALUES (1, N'a', NULL), (2, N'b', NULL)")
        self.assertEqual(self.version(), 1)
        self.cur.execute("BEGIN TRAN; UPDATE users SET name = N'c' WHERE id = 1; DELETE FROM users WHERE id = 2; COMMIT")
        self.assertEqual(self.version(), 2)
        self.cur.execute("BEGIN TRAN; INSERT INTO users VALUES (3, N'x', NULL); ROLLBACK")
        self.assertEqual(self.version(), 2)
        self.assertEqual(self.changes(2), [])
        # a statement that changes nothing does not make a version
        self.cur.execute("UPDATE users SET name = N'z' WHERE id = 42")
        self.assertEqual(self.version(), 2)

    def test_net_changes(self):
        self.cur.execute("INSERT INTO users VALUES (1, N'a', NULL), (2, N'b', NULL), (3, N'c', NULL)")  # v1
        self.cur.execute("UPDATE users SET name = N'a2' WHERE id = 1")                                 # v2
        self.cur.execute("DELETE FROM users WHERE id = 2")                                             # v3
        self.cur.execute("INSERT INTO users VALUES (4, N'd', NULL)")                                   # v4
        self.cur.execute("DELETE FROM users WHERE id = 4")                                             # v5
        self.assertEqual(self.changes(0), [("I", 1, 2, 1, "a2"), ("D", 2, 3, 1, None), ("I", 3, 1, 1, "c"),
                                           ("D", 4, 5, 4, None)])
        self.assertEqual(self.changes(1), [("U", 1, 2, 1, "a2"), ("D", 2, 3, 1, None), ("D", 4, 5, 4, None)])
        self.assertEqual(self.changes(5), [])
        # a key deleted and inserted again after the baseline is an update of all columns (docs)
        self.cur.execute("DELETE FROM users WHERE id = 3")                                             # v6
        self.cur.execute("INSERT INTO users VALUES (3, N'c2', NULL)")                                  # v7
        cur = self.td().cursor()
        cur.execute("SELECT SYS_CHANGE_OPERATION, SYS_CHANGE_COLUMNS, SYS_CHANGE_VERSION FROM CHANGETABLE(CHANGES users, 5) c")
        self.assertEqual([tuple(r) for r in cur.fetchall()], [("U", None, 7)])
        self.assertEqual(self.changes(0)[2], ("I", 3, 7, 7, "c2"))
        # NULL last_sync_version means every tracked change
        self.assertEqual(len(self.changes(None)), 4)

    def test_column_mask_and_context(self):
        self.cur.execute("INSERT INTO users VALUES (1, N'a', NULL)")
        v = self.version()
        cur = self.td().cursor()
        cur.execute("WITH CHANGE_TRACKING_CONTEXT (%s) UPDATE users SET mail = N'm@x' WHERE id = 1",
                    (__import__("pytds").Binary(b"sync-1"),))
        cur.execute("""SELECT c.SYS_CHANGE_OPERATION, c.SYS_CHANGE_CONTEXT,
                CHANGE_TRACKING_IS_COLUMN_IN_MASK(COLUMNPROPERTY(OBJECT_ID(N'dbo.users'), 'name', 'ColumnId'), c.SYS_CHANGE_COLUMNS),
                CHANGE_TRACKING_IS_COLUMN_IN_MASK(COLUMNPROPERTY(OBJECT_ID(N'dbo.users'), 'mail', 'ColumnId'), c.SYS_CHANGE_COLUMNS)
            FROM CHANGETABLE(CHANGES users, %s) AS c""", (v,))
        self.assertEqual(tuple(cur.fetchone()), ("U", b"sync-1", False, True))
        # an update of every non-key column has a NULL mask (CHANGETABLE docs)
        v2 = self.version()
        cur.execute("UPDATE users SET name = N'n', mail = NULL WHERE id = 1")
        cur.execute("SELECT SYS_CHANGE_OPERATION, SYS_CHANGE_COLUMNS FROM CHANGETABLE(CHANGES users, %s) AS c", (v2,))
        self.assertEqual(tuple(cur.fetchone()), ("U", None))
        # inserts carry no mask
        cur.execute("SELECT SYS_CHANGE_COLUMNS FROM CHANGETABLE(CHANGES users, 0) AS c")
        self.assertEqual(tuple(cur.fetchone()), (None,))

    def test_mask_is_null_when_columns_are_not_tracked(self):
        self.cur.execute("CREATE TABLE plain (id INT PRIMARY KEY, v INT)")
        self.cur.execute("ALTER TABLE plain ENABLE CHANGE_TRACKING")
        self.cur.execute("INSERT INTO plain VALUES (1, 1)")
        v = self.version()
        self.cur.execute("UPDATE plain SET v = 2")
        self.cur.execute("SELECT SYS_CHANGE_OPERATION, SYS_CHANGE_COLUMNS FROM CHANGETABLE(CHANGES plain, %d) AS c" % v)
        self.assertEqual(self.cur.fetchall(), [("U", None)])

    def test_min_valid_version_after_truncate(self):
        self.cur.execute("INSERT INTO users VALUES (1, N'a', NULL)")
        self.cur.execute("INSERT INTO users VALUES (2, N'b', NULL)")
        self.cur.execute("SELECT CHANGE_TRACKING_MIN_VALID_VERSION(OBJECT_ID(N'dbo.users'))")
        self.assertEqual(self.cur.fetchone(), (0,))
        self.cur.execute("TRUNCATE TABLE users")
        self.cur.execute("SELECT CHANGE_TRACKING_MIN_VALID_VERSION(OBJECT_ID(N'dbo.users')), CHANGE_TRACKING_CURRENT_VERSION()")
        mv, cv = self.cur.fetchone()
        self.assertEqual(mv, cv)
        self.assertEqual(mv, 2)
        # an old version still returns rows (none here): SQL Server does not raise, clients must compare
        self.assertEqual(self.changes(0), [])

    def test_forced_cleanup_raises_min_valid_version(self):
        self.cur.execute("INSERT INTO users VALUES (1, N'a', NULL)")   # v1
        self.cur.execute("UPDATE users SET name = N'b'")               # v2
        self.cur.execute("EXEC sys.sp_flush_CT_internal_table_on_demand")
        self.cur.execute("SELECT CHANGE_TRACKING_MIN_VALID_VERSION(OBJECT_ID(N'dbo.users'))")
        self.assertEqual(self.cur.fetchone(), (0,))  # nothing is older than the retention yet
        self.cur.execute("EXEC sys.sp_peer_advance_clock 172801")  # test-only: two days and a second later
        self.cur.execute("INSERT INTO users VALUES (2, N'c', NULL)")   # v3, inside the retention
        self.cur.execute("EXEC sys.sp_flush_CT_internal_table_on_demand")
        self.cur.execute("SELECT CHANGE_TRACKING_MIN_VALID_VERSION(OBJECT_ID(N'dbo.users')), min_valid_version FROM sys.change_tracking_tables")
        self.assertEqual(self.cur.fetchone(), (2, 2))
        self.assertEqual(self.changes(0), [("I", 2, 3, 3, "c")])

    def test_errors(self):
        self.cur.execute("CREATE TABLE nopk (v INT)")
        self.cur.execute("CREATE TABLE untracked (id INT PRIMARY KEY)")
        self.assertSqlError(4997, self.cur.execute, "ALTER TABLE nopk ENABLE CHANGE_TRACKING")
        self.assertSqlError(4996, self.cur.execute, "ALTER TABLE users ENABLE CHANGE_TRACKING")
        self.assertSqlError(4998, self.cur.execute, "ALTER TABLE untracked DISABLE CHANGE_TRACKING")
        self.assertSqlError(22105, self.cur.execute, "SELECT * FROM CHANGETABLE(CHANGES untracked, 0) AS c")
        self.assertSqlError(5088, self.cur.execute, "ALTER DATABASE %s SET CHANGE_TRACKING = ON" % self.dbname)
        self.cur.execute("ALTER DATABASE %s SET CHANGE_TRACKING (CHANGE_RETENTION = 3 HOURS)" % self.dbname)
        self.cur.execute("SELECT retention_period, retention_period_units_desc FROM sys.change_tracking_databases WHERE database_id = DB_ID()")
        self.assertEqual(self.cur.fetchall(), [(3, "HOURS")])
        self.assertSqlError(22115, self.cur.execute, "ALTER DATABASE %s SET CHANGE_TRACKING = OFF" % self.dbname)
        self.assertSqlError(102, self.cur.execute, "SELECT * FROM CHANGETABLE(CHANGES users, 1 + 1) AS c")
        self.cur.execute("CREATE DATABASE %s_off" % self.dbname[:20])
        self.cur.execute("USE %s_off" % self.dbname[:20])
        self.cur.execute("CREATE TABLE t (id INT PRIMARY KEY)")
        self.assertSqlError(1718, self.cur.execute, "ALTER TABLE t ENABLE CHANGE_TRACKING")
        self.cur.execute("SELECT CHANGE_TRACKING_CURRENT_VERSION(), CHANGE_TRACKING_MIN_VALID_VERSION(OBJECT_ID('t'))")
        self.assertEqual(self.cur.fetchone(), (None, None))
        self.cur.execute("USE master")
        self.cur.execute("DROP DATABASE %s_off" % self.dbname[:20])

    def test_catalog_views(self):
        self.cur.execute("""SELECT d.name, ct.is_auto_cleanup_on, ct.retention_period, ct.retention_period_units_desc
            FROM sys.change_tracking_databases ct JOIN sys.databases d ON d.database_id = ct.database_id
            WHERE d.name = DB_NAME()""")
        self.assertEqual(self.cur.fetchall(), [(self.dbname, 1, 2, "DAYS")])
        self.cur.execute("""SELECT is_track_columns_updated_on, min_valid_version FROM sys.change_tracking_tables
            WHERE object_id = OBJECT_ID(N'dbo.users')""")
        self.assertEqual(self.cur.fetchall(), [(True, 0)])
        self.cur.execute("""SELECT COLUMN_NAME, DATA_TYPE, IS_NULLABLE, CHARACTER_MAXIMUM_LENGTH, ORDINAL_POSITION
            FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA = 'dbo' AND TABLE_NAME = 'users' ORDER BY ORDINAL_POSITION""")
        self.assertEqual(self.cur.fetchall(), [("id", "int", "NO", None, 1), ("name", "nvarchar", "NO", 50, 2),
                                               ("mail", "nvarchar", "YES", 100, 3)])
        self.cur.execute("""SELECT k.COLUMN_NAME FROM INFORMATION_SCHEMA.TABLE_CONSTRAINTS c
            JOIN INFORMATION_SCHEMA.KEY_COLUMN_USAGE k ON k.CONSTRAINT_NAME = c.CONSTRAINT_NAME
            WHERE c.TABLE_NAME = 'users' AND c.CONSTRAINT_TYPE = 'PRIMARY KEY' ORDER BY k.ORDINAL_POSITION""")
        self.assertEqual(self.cur.fetchall(), [("id",)])
        self.cur.execute("SELECT name, snapshot_isolation_state, snapshot_isolation_state_desc FROM sys.databases WHERE database_id = DB_ID()")
        self.assertEqual(self.cur.fetchall(), [(self.dbname, 0, "OFF")])

    def test_cascade_delete_is_tracked(self):
        self.cur.execute("CREATE TABLE grp (id INT PRIMARY KEY)")
        self.cur.execute("CREATE TABLE member (gid INT NOT NULL REFERENCES grp (id) ON DELETE CASCADE, uid INT NOT NULL, PRIMARY KEY (gid, uid))")
        self.cur.execute("ALTER TABLE member ENABLE CHANGE_TRACKING")
        self.cur.execute("INSERT INTO grp VALUES (1); INSERT INTO member VALUES (1, 10), (1, 11)")
        v = self.version()
        self.cur.execute("DELETE FROM grp WHERE id = 1")
        self.cur.execute("SELECT SYS_CHANGE_OPERATION, gid, uid FROM CHANGETABLE(CHANGES member, %d) c ORDER BY uid" % v)
        self.assertEqual(self.cur.fetchall(), [("D", 1, 10), ("D", 1, 11)])


class SyncPatternTest(PeerTestCase):
    """The pattern of "Work with change tracking": validate the last version,
    read the current version and the changes in one snapshot transaction."""

    def test_documented_sync_batch(self):
        cur = self.ms().cursor()
        cur.execute("ALTER DATABASE %s SET ALLOW_SNAPSHOT_ISOLATION ON" % self.dbname)
        cur.execute("ALTER DATABASE %s SET CHANGE_TRACKING = ON (CHANGE_RETENTION = 30 MINUTES, AUTO_CLEANUP = OFF)" % self.dbname)
        cur.execute("CREATE TABLE dbo.items (id UNIQUEIDENTIFIER PRIMARY KEY, title NVARCHAR(200) NOT NULL)")
        cur.execute("ALTER TABLE dbo.items ENABLE CHANGE_TRACKING WITH (TRACK_COLUMNS_UPDATED = ON)")
        cur.execute("INSERT INTO items VALUES (NEWID(), N'one'), (NEWID(), N'two')")
        td = self.td()
        c = td.cursor()
        batch = """
            SET TRANSACTION ISOLATION LEVEL SNAPSHOT;
            BEGIN TRAN;
            DECLARE @last BIGINT = %s;
            SELECT CHANGE_TRACKING_CURRENT_VERSION() AS current_version,
                   CHANGE_TRACKING_MIN_VALID_VERSION(OBJECT_ID(N'dbo.items')) AS min_valid;
            SELECT c.SYS_CHANGE_OPERATION, c.id, t.title
              FROM CHANGETABLE(CHANGES dbo.items, @last) AS c
              LEFT OUTER JOIN dbo.items AS t ON t.id = c.id
             ORDER BY t.title;
            COMMIT TRAN;"""
        c.execute(batch, (0,))
        self.assertEqual(tuple(c.fetchone()), (1, 0))
        c.nextset()
        rows = c.fetchall()
        self.assertEqual([(r[0], r[2]) for r in rows], [("I", "one"), ("I", "two")])
        while c.nextset():
            pass
        c.execute("SELECT @@TRANCOUNT")
        self.assertEqual(c.fetchone()[0], 0)
        c.execute("SELECT retention_period, retention_period_units_desc, is_auto_cleanup_on FROM sys.change_tracking_databases WHERE database_id = DB_ID()")
        self.assertEqual(tuple(c.fetchone()), (30, "MINUTES", 0))

"""What scimsync's SQL Server target needs beyond the first subset: savepoints (SAVE
TRANSACTION / ROLLBACK TRANSACTION name), table hints on UPDATE's target, correlated
EXISTS and scalar subqueries, and sys.indexes."""
from .helper import PeerTestCase


class UpsertSupportTest(PeerTestCase):
    def setUp(self):
        super().setUp()
        cur = self.ms().cursor()
        cur.execute("CREATE TABLE u (id INT PRIMARY KEY, name NVARCHAR(10))")
        cur.execute("CREATE TABLE m (uid INT NOT NULL, gid INT NOT NULL, PRIMARY KEY (uid, gid))")

    def rows(self, sql):
        cur = self.ms().cursor()
        cur.execute(sql)
        return [tuple(r) for r in cur.fetchall()]

    def test_savepoint_rolls_back_what_followed_and_keeps_the_transaction(self):
        cur = self.ms().cursor()
        cur.execute("BEGIN TRAN; INSERT INTO u VALUES (1, N'a'); SAVE TRANSACTION s1; INSERT INTO u VALUES (2, N'b');"
                    " ROLLBACK TRANSACTION s1; SELECT @@TRANCOUNT")
        self.assertEqual(cur.fetchone(), (1,))
        cur.execute("INSERT INTO u VALUES (3, N'c'); COMMIT")
        self.assertEqual(self.rows("SELECT id FROM u ORDER BY id"), [(1,), (3,)])

    def test_savepoint_can_be_rolled_back_to_twice(self):
        cur = self.ms().cursor()
        cur.execute("BEGIN TRAN; SAVE TRAN sp; INSERT INTO u VALUES (1, N'a'); ROLLBACK TRAN sp;"
                    " INSERT INTO u VALUES (2, N'b'); ROLLBACK TRAN sp; INSERT INTO u VALUES (3, N'c'); COMMIT")
        self.assertEqual(self.rows("SELECT id FROM u"), [(3,)])

    def test_save_without_transaction_is_628_and_unknown_savepoint_6401(self):
        cur = self.ms().cursor()
        self.assertSqlError(628, cur.execute, "SAVE TRANSACTION s1")
        cur.execute("BEGIN TRAN")
        self.assertSqlError(6401, cur.execute, "ROLLBACK TRANSACTION nope")
        cur.execute("SELECT @@TRANCOUNT")
        self.assertEqual(cur.fetchone(), (1,))
        cur.execute("ROLLBACK")

    def test_update_takes_table_hints(self):
        cur = self.ms().cursor()
        cur.execute("INSERT INTO u VALUES (1, N'a')")
        cur.execute("UPDATE u WITH (UPDLOCK, SERIALIZABLE) SET name = N'b' WHERE id = 1")
        cur.execute("INSERT INTO u (id, name) SELECT 2, N'c' WHERE NOT EXISTS"
                    " (SELECT 1 FROM u WITH (UPDLOCK, SERIALIZABLE) WHERE id = 2)")
        cur.execute("INSERT INTO u (id, name) SELECT 2, N'd' WHERE NOT EXISTS"
                    " (SELECT 1 FROM u WITH (UPDLOCK, SERIALIZABLE) WHERE id = 2)")
        self.assertEqual(self.rows("SELECT id, name FROM u ORDER BY id"), [(1, "b"), (2, "c")])

    def test_select_with_update_lock_keeps_other_writers_waiting_until_commit(self):
        cur = self.ms().cursor()
        cur.execute("INSERT INTO u VALUES (1, N'a')")
        cur.execute("BEGIN TRAN; SELECT 1 FROM u WITH (UPDLOCK, SERIALIZABLE) WHERE id = 1")
        self.assertEqual(cur.fetchall(), [(1,)])
        other = self.td().cursor()
        other.execute("SET LOCK_TIMEOUT 200")
        # Another session's write of the locked row waits, here until its lock timeout.
        self.assertSqlError(1222, other.execute, "DELETE FROM u WHERE id = 1")
        cur.execute("UPDATE u SET name = N'b' WHERE id = 1; COMMIT")
        other.execute("DELETE FROM u WHERE id = 1")
        self.assertEqual(self.rows("SELECT COUNT(*) FROM u"), [(0,)])
        # Without the hint, a READ COMMITTED read takes no lock that outlives it.
        cur.execute("INSERT INTO u VALUES (2, N'c')")
        cur.execute("BEGIN TRAN; SELECT 1 FROM u WHERE id = 2")
        cur.fetchall()
        other.execute("DELETE FROM u WHERE id = 2")
        cur.execute("COMMIT")

    def test_correlated_exists_and_scalar_subquery(self):
        cur = self.ms().cursor()
        cur.execute("INSERT INTO u VALUES (1, N'a'), (2, N'b'), (3, N'c')")
        cur.execute("INSERT INTO m VALUES (1, 10), (1, 11), (3, 10)")
        self.assertEqual(
            self.rows("SELECT t.id FROM u t WHERE EXISTS (SELECT 1 FROM m x WHERE x.uid = t.id AND x.gid = 10)"
                      " ORDER BY t.id"), [(1,), (3,)])
        self.assertEqual(
            self.rows("SELECT t.id FROM u t WHERE NOT EXISTS (SELECT 1 FROM m x WHERE x.uid = t.id) ORDER BY t.id"),
            [(2,)])
        self.assertEqual(
            self.rows("SELECT t.id, (SELECT COUNT(*) FROM m x WHERE x.uid = t.id) AS n FROM u t ORDER BY t.id"),
            [(1, 2), (2, 0), (3, 1)])

    def test_inner_names_bind_before_outer_ones(self):
        cur = self.ms().cursor()
        cur.execute("CREATE TABLE g (id INT PRIMARY KEY)")
        cur.execute("INSERT INTO u VALUES (1, N'a'), (2, N'b')")
        cur.execute("INSERT INTO g VALUES (2)")
        # unqualified "id" inside means g.id (the innermost table with the column)
        self.assertEqual(self.rows("SELECT t.id FROM u t WHERE EXISTS (SELECT 1 FROM g WHERE id = 2) ORDER BY t.id"),
                         [(1,), (2,)])

    def test_sys_indexes_lists_created_indexes(self):
        cur = self.ms().cursor()
        cur.execute("CREATE INDEX u_name_idx ON u (name)")
        self.assertEqual(
            self.rows("SELECT COUNT(*) FROM sys.indexes WHERE name = N'u_name_idx' AND object_id = OBJECT_ID(N'dbo.u')"),
            [(1,)])
        cur.execute("IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'u_name_idx' AND object_id = OBJECT_ID(N'u'))"
                    " CREATE INDEX u_name_idx ON u (name)")

    def test_self_referencing_foreign_key_declared_before_the_key(self):
        cur = self.ms().cursor()
        cur.execute("CREATE TABLE grp (parent NVARCHAR(64), FOREIGN KEY (parent) REFERENCES grp (id),"
                    " id NVARCHAR(64) NOT NULL PRIMARY KEY)")
        cur.execute("INSERT INTO grp (id, parent) VALUES (N'a', NULL), (N'b', N'a')")
        self.assertSqlError(547, cur.execute, "INSERT INTO grp (id, parent) VALUES (N'c', N'zz')")

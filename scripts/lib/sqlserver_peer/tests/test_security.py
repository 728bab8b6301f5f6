"""Logins, users and GRANTs: what a change-tracking reader's login may do, and the errors
SQL Server sends when it may not (229, 262, 916, 4060/18456, 15007, 15023, 15025, 15151)."""
from .helper import PeerTestCase, error_number


class SecurityTest(PeerTestCase):
    def setUp(self):
        super().setUp()
        self.login = "reader_" + self.dbname[-20:]
        cur = self.ms().cursor()
        cur.execute("ALTER DATABASE %s SET CHANGE_TRACKING = ON" % self.dbname)
        cur.execute("CREATE TABLE t (id int PRIMARY KEY, n nvarchar(20))")
        cur.execute("ALTER TABLE t ENABLE CHANGE_TRACKING")
        cur.execute("INSERT INTO t VALUES (1, N'a')")
        cur.execute("CREATE LOGIN %s WITH PASSWORD = N'Reader_Passw0rd'" % self.login)
        cur.execute("CREATE USER %s FOR LOGIN %s" % (self.login, self.login))

    def reader(self, client="ms", database=None):
        kw = dict(user=self.login, password="Reader_Passw0rd", database=database or self.dbname)
        return (self.ms if client == "ms" else self.td)(**kw).cursor()

    def grant(self, sql):
        self.ms().cursor().execute(sql)

    def test_a_login_without_grants_is_refused_229_by_both_clients(self):
        for client in ("ms", "td"):
            cur = self.reader(client)
            e = self.assertSqlError(229, cur.execute, "SELECT id FROM t")
            self.assertIn("The SELECT permission was denied on the object 't', database '%s', schema 'dbo'." % self.dbname,
                          str(e))

    def test_select_grant_reads_the_table_but_not_its_changes(self):
        self.grant("GRANT SELECT ON t TO %s" % self.login)
        cur = self.reader()
        cur.execute("SELECT id FROM t")
        self.assertEqual(cur.fetchall(), [(1,)])
        e = self.assertSqlError(229, cur.execute, "SELECT * FROM CHANGETABLE(CHANGES t, 0) AS c")
        self.assertIn("The VIEW CHANGE TRACKING permission was denied on the object 't'", str(e))
        self.grant("GRANT VIEW CHANGE TRACKING ON OBJECT::dbo.t TO %s" % self.login)
        cur.execute("SELECT id FROM CHANGETABLE(CHANGES t, 0) AS c")
        self.assertEqual(cur.fetchall(), [(1,)])

    def test_view_change_tracking_without_select_is_229_for_select(self):
        self.grant("GRANT VIEW CHANGE TRACKING ON t TO %s" % self.login)
        cur = self.reader()
        e = self.assertSqlError(229, cur.execute, "SELECT id FROM CHANGETABLE(CHANGES t, 0) AS c")
        self.assertIn("The SELECT permission was denied", str(e))

    def test_writes_need_their_own_grants_and_revoke_takes_back(self):
        self.grant("GRANT SELECT, INSERT ON t TO %s" % self.login)
        cur = self.reader()
        cur.execute("INSERT INTO t VALUES (2, N'b')")
        e = self.assertSqlError(229, cur.execute, "UPDATE t SET n = N'c' WHERE id = 2")
        self.assertIn("The UPDATE permission was denied", str(e))
        self.assertSqlError(229, cur.execute, "DELETE FROM t WHERE id = 2")
        self.grant("REVOKE INSERT ON t FROM %s" % self.login)
        self.assertSqlError(229, cur.execute, "INSERT INTO t VALUES (3, N'c')")

    def test_ddl_and_security_statements_are_sysadmin_only(self):
        cur = self.reader()
        self.assertSqlError(262, cur.execute, "CREATE TABLE u (id int)")
        self.assertSqlError(15247, cur.execute, "CREATE LOGIN other WITH PASSWORD = 'x'")
        self.assertSqlError(15247, cur.execute, "GRANT SELECT ON t TO %s" % self.login)

    def test_a_login_without_a_user_in_the_database_cannot_open_it(self):
        other = "nouser_" + self.dbname[-20:]
        self.grant("CREATE LOGIN %s WITH PASSWORD = 'Other_Passw0rd'" % other)
        # SQL Server sends 4060 then 18456; both clients report the last one
        for connect in (self.peer.pymssql, self.peer.pytds):
            with self.assertRaises(Exception) as cm:
                connect(user=other, password="Other_Passw0rd", database=self.dbname)
            self.assertIn("18456", str(cm.exception) + str(error_number(cm.exception)))
        master = self.peer.pymssql(user=other, password="Other_Passw0rd")
        self.conns.append(master)
        self.assertSqlError(916, master.cursor().execute, "USE %s" % self.dbname)
        with self.assertRaises(Exception) as cm:
            self.peer.pytds(user=other, password="wrong")
        self.assertEqual(error_number(cm.exception), 18456)

    def test_security_errors(self):
        cur = self.ms().cursor()
        self.assertSqlError(15025, cur.execute, "CREATE LOGIN %s WITH PASSWORD = 'x'" % self.login)
        self.assertSqlError(15023, cur.execute, "CREATE USER %s FOR LOGIN %s" % (self.login, self.login))
        self.assertSqlError(15007, cur.execute, "CREATE USER ghost FOR LOGIN ghost")
        self.assertSqlError(15151, cur.execute, "GRANT SELECT ON no_such_table TO %s" % self.login)
        self.assertSqlError(15151, cur.execute, "GRANT SELECT ON t TO ghost")
        self.assertSqlError(50000, cur.execute, "GRANT SELECT TO %s" % self.login)

"""The T-SQL subset: SELECT forms, DDL details, functions."""
import datetime
import decimal
import uuid

from .helper import PeerTestCase


class QueriesTest(PeerTestCase):
    def setUp(self):
        super().setUp()
        self.cur = self.ms().cursor()
        self.cur.execute("""CREATE TABLE [dbo].[people] ([id] INT IDENTITY(1,1) PRIMARY KEY, "name" NVARCHAR(40) NOT NULL,
            age SMALLINT NULL, active BIT NOT NULL DEFAULT 1, created DATETIME2(3) NOT NULL DEFAULT SYSUTCDATETIME(),
            score DECIMAL(6,2) NULL DEFAULT 0)""")
        self.cur.execute("INSERT INTO people (name, age) VALUES (N'Ann', 30), (N'bob', NULL), (N'Cid', 25), (N'dora', 41)")

    def q(self, sql, params=None):
        return self.run_both(sql, params)

    def test_where_forms(self):
        self.assertEqual(self.q("SELECT id FROM people WHERE age > 26 AND NOT name = N'x' ORDER BY id"), [(1,), (4,)])
        self.assertEqual(self.q("SELECT id FROM people WHERE age IS NULL OR age < 26 ORDER BY id"), [(2,), (3,)])
        self.assertEqual(self.q("SELECT id FROM people WHERE name IN (N'ann', N'DORA') ORDER BY id"), [(1,), (4,)])
        self.assertEqual(self.q("SELECT id FROM people WHERE name LIKE N'_o%' ORDER BY id"), [(2,), (4,)])
        self.assertEqual(self.q("SELECT id FROM people WHERE name NOT LIKE N'[a-c]%' ORDER BY id"), [(4,)])
        # NULL compares unknown
        self.assertEqual(self.q("SELECT COUNT(*) FROM people WHERE age <> 30"), [(2,)])

    def test_paging_and_top(self):
        self.assertEqual(self.q("SELECT TOP (2) name FROM people ORDER BY name DESC"), [("dora",), ("Cid",)])
        self.assertEqual(self.q("SELECT name FROM people ORDER BY id OFFSET 1 ROWS FETCH NEXT 2 ROWS ONLY"),
                         [("bob",), ("Cid",)])
        cur = self.td().cursor()
        cur.execute("SELECT TOP (%s) id FROM people ORDER BY id", (3,))
        self.assertEqual([r[0] for r in cur.fetchall()], [1, 2, 3])

    def test_aliases_star_and_functions(self):
        rows = self.q("SELECT p.id AS [Key], UPPER(p.name) upper_name, LEN(N'ab  '), LOWER(N'ÄB') FROM dbo.people AS p WHERE p.id = 1")
        self.assertEqual(rows, [(1, "ANN", 2, "äb")])
        cur = self.td().cursor()
        cur.execute("SELECT * FROM people WHERE id = 1")
        self.assertEqual([d[0] for d in cur.description], ["id", "name", "age", "active", "created", "score"])
        row = cur.fetchone()
        self.assertEqual(row[3], True)
        self.assertIsInstance(row[4], datetime.datetime)
        self.assertEqual(row[5], decimal.Decimal("0.00"))

    def test_group_by_and_having(self):
        self.cur.execute("INSERT INTO people (name, age) VALUES (N'ann', 30), (N'eve', 30)")
        self.assertEqual(self.q("""SELECT age, COUNT(*) AS n FROM people WHERE age IS NOT NULL
                                   GROUP BY age HAVING COUNT(*) > 1 ORDER BY age"""), [(30, 3)])
        self.assertEqual(self.q("SELECT LOWER(name), COUNT(*) FROM people GROUP BY LOWER(name) HAVING COUNT(*) = 2"),
                         [("ann", 2)])
        top = self.q("SELECT name, COUNT(*) FROM people GROUP BY name ORDER BY COUNT(*) DESC, name")[0]
        self.assertEqual((top[0].lower(), top[1]), ("ann", 2))  # grouping is case-insensitive; which spelling is shown is not defined
        self.assertSqlError(8120, self.ms().cursor().execute, "SELECT name, COUNT(*) FROM people GROUP BY age")
        self.assertSqlError(8120, self.ms().cursor().execute, "SELECT name, COUNT(*) FROM people")

    def test_joins(self):
        self.cur.execute("CREATE TABLE pets (pid INT PRIMARY KEY, owner INT NULL REFERENCES people (id), kind NVARCHAR(10))")
        self.cur.execute("INSERT INTO pets VALUES (1, 1, N'cat'), (2, 1, N'dog'), (3, 3, N'fish')")
        self.assertEqual(self.q("""SELECT p.name, x.kind FROM people p INNER JOIN pets x ON x.owner = p.id
                                   ORDER BY p.name, x.kind"""), [("Ann", "cat"), ("Ann", "dog"), ("Cid", "fish")])
        self.assertEqual(self.q("""SELECT p.id, COUNT(*) FROM people p LEFT JOIN pets x ON x.owner = p.id WHERE x.pid IS NULL"""
                                .replace("p.id, COUNT(*)", "COUNT(*)")), [(2,)])

    def test_insert_select_scope_identity_and_alter_add(self):
        cur = self.td().cursor()
        cur.execute("INSERT INTO people (name) VALUES (N'eve'); SELECT SCOPE_IDENTITY()")
        cur.nextset()  # the INSERT's row count comes first
        self.assertEqual(cur.fetchone()[0], 5)
        self.cur.execute("CREATE TABLE names (n NVARCHAR(40))")
        self.cur.execute("INSERT INTO names (n) SELECT name FROM people WHERE age IS NOT NULL")
        self.assertEqual(self.q("SELECT COUNT(*) FROM names"), [(3,)])
        self.cur.execute("ALTER TABLE people ADD nick NVARCHAR(10) NULL, flags INT NOT NULL DEFAULT 7")
        self.assertEqual(self.q("SELECT nick, flags FROM people WHERE id = 1"), [(None, 7)])
        self.assertEqual(self.q("""SELECT COLUMN_NAME, COLUMN_DEFAULT FROM INFORMATION_SCHEMA.COLUMNS
                                   WHERE TABLE_NAME = 'people' AND COLUMN_DEFAULT IS NOT NULL ORDER BY ORDINAL_POSITION"""),
                         [("active", "((1))"), ("created", "(sysutcdatetime())"), ("score", "((0))"), ("flags", "((7))")])

    def test_identity_values_are_not_given_back(self):
        cur = self.ms().cursor()
        with self.assertRaises(Exception):
            cur.execute("INSERT INTO people (name) VALUES (NULL)")  # 515 still takes a value
        cur.execute("BEGIN TRAN; INSERT INTO people (name) VALUES (N'y'); ROLLBACK")
        cur.execute("INSERT INTO people (name) VALUES (N'z'); SELECT SCOPE_IDENTITY()")
        self.assertEqual(cur.fetchone()[0], 7)

    def test_update_delete_truncate(self):
        self.cur.execute("UPDATE people SET age = age + 1, name = N'Ann B' WHERE id = 1")
        self.assertEqual(self.cur.rowcount, 1)
        self.assertEqual(self.q("SELECT name, age FROM people WHERE id = 1"), [("Ann B", 31)])
        self.cur.execute("DELETE FROM people WHERE age IS NULL")
        self.assertEqual(self.cur.rowcount, 1)
        self.cur.execute("TRUNCATE TABLE people")
        self.cur.execute("INSERT INTO people (name) VALUES (N'new')")
        self.assertEqual(self.q("SELECT id FROM people"), [(1,)])  # TRUNCATE reseeds the identity

    def test_guid_and_datetimeoffset_parameters(self):
        self.cur.execute("CREATE TABLE g (id UNIQUEIDENTIFIER PRIMARY KEY, at DATETIMEOFFSET NULL)")
        u = uuid.uuid4()
        at = datetime.datetime(2024, 2, 3, 4, 5, 6, 700000, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))
        cur = self.td().cursor()
        cur.execute("INSERT INTO g VALUES (%s, %s)", (u, at))
        cur.execute("SELECT id, at FROM g WHERE id = %s", (str(u).upper(),))
        got = cur.fetchone()
        self.assertEqual(got[0], u)
        self.assertEqual(got[1], at)

    def test_drop_table_and_database(self):
        self.cur.execute("CREATE TABLE tmp (id INT)")
        self.cur.execute("DROP TABLE tmp")
        self.assertSqlError(208, self.cur.execute, "SELECT * FROM tmp")
        self.assertSqlError(3701, self.cur.execute, "DROP TABLE tmp")
        self.cur.execute("CREATE DATABASE %s_x" % self.dbname[:20])
        self.cur.execute("DROP DATABASE %s_x" % self.dbname[:20])
        self.assertSqlError(911, self.cur.execute, "USE %s_x" % self.dbname[:20])

    def test_lookups_by_key_follow_sql_server_conversions(self):
        # these go through the SQLite-narrowed scan; results must equal the full evaluation
        self.cur.execute("CREATE TABLE codes (c NVARCHAR(10) PRIMARY KEY, n INT)")
        self.cur.execute("INSERT INTO codes VALUES (N'05', 5), (N'Ab', 1)")
        # the column is converted to int (data type precedence): 'Ab' fails as in SQL Server
        self.assertSqlError(245, self.ms().cursor().execute, "SELECT n FROM codes WHERE c = 5")
        self.assertEqual(self.q("SELECT n FROM codes WHERE c = 5 AND n = 5"), [(5,)])
        self.assertEqual(self.q("SELECT n FROM codes WHERE c = N'aB  '"), [(1,)])    # CI and trailing blanks
        self.assertEqual(self.q("SELECT c FROM codes WHERE n IN (N'5', 7)"), [("05",)])
        self.assertEqual(self.q("SELECT COUNT(*) FROM people WHERE id = 2 AND name = N'BOB'"), [(1,)])
        self.assertSqlError(245, self.ms().cursor().execute, "SELECT * FROM codes WHERE c = 5 OR n = N'x'")


class ControlFlowTest(PeerTestCase):
    def test_if_exists_blocks(self):
        cur = self.ms().cursor()
        script = """IF NOT EXISTS (SELECT 1 FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_NAME = 'cfg')
                    BEGIN
                        CREATE TABLE cfg (k NVARCHAR(20) PRIMARY KEY, v NVARCHAR(100));
                        INSERT INTO cfg VALUES (N'created', N'yes');
                    END
                    ELSE
                        UPDATE cfg SET v = N'again' WHERE k = N'created'"""
        cur.execute(script)
        cur.execute(script)
        cur.execute("IF OBJECT_ID(N'dbo.cfg') IS NOT NULL SELECT v FROM cfg")
        self.assertEqual(cur.fetchall(), [("again",)])

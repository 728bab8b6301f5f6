"""COLLATE in column definitions: a binary collation makes a column case-exact in keys,
comparisons and ORDER BY (code units), the default stays case-insensitive, and the
catalog views name each column's collation."""
from .helper import PeerTestCase


class CollationsTest(PeerTestCase):
    def setUp(self):
        super().setUp()
        self.cur = self.ms().cursor()
        self.cur.execute("CREATE TABLE exact (id NVARCHAR(64) COLLATE Latin1_General_100_BIN2 NOT NULL PRIMARY KEY, "
                         "name NVARCHAR(40) NULL)")
        self.cur.execute("INSERT INTO exact (id, name) VALUES (N'b', N'x'), (N'B', N'x'), (N'a', N'X'), (N'\u00e9', N'e')")

    def test_binary_keys_are_case_exact(self):
        # 'b' and 'B' are two keys; the same under the default collation is a duplicate.
        self.assertEqual(self.run_both("SELECT COUNT(*) FROM exact"), [(4,)])
        self.assertSqlError(2627, self.cur.execute, "INSERT INTO exact (id) VALUES (N'b ')")
        self.cur.execute("CREATE TABLE folded (id NVARCHAR(64) NOT NULL PRIMARY KEY)")
        self.cur.execute("INSERT INTO folded (id) VALUES (N'b')")
        self.assertSqlError(2627, self.cur.execute, "INSERT INTO folded (id) VALUES (N'B')")

    def test_binary_order_and_comparison(self):
        self.assertEqual(self.run_both("SELECT id FROM exact ORDER BY id"), [("B",), ("a",), ("b",), ("\u00e9",)])
        self.assertEqual(self.run_both("SELECT id FROM exact WHERE id > N'B' ORDER BY id"), [("a",), ("b",), ("\u00e9",)])
        self.assertEqual(self.run_both("SELECT id FROM exact WHERE id = N'b'"), [("b",)])
        cur = self.td().cursor()
        cur.execute("SELECT id FROM exact WHERE id = %s", ("B",))
        self.assertEqual(cur.fetchall(), [("B",)])
        # The other column keeps the default, case-insensitive collation.
        self.assertEqual(self.run_both("SELECT COUNT(*) FROM exact WHERE name = N'x'"), [(3,)])

    def test_catalog_names_collations(self):
        self.assertEqual(
            self.run_both("SELECT COLUMN_NAME, COLLATION_NAME FROM INFORMATION_SCHEMA.COLUMNS "
                          "WHERE TABLE_NAME = N'exact' ORDER BY ORDINAL_POSITION"),
            [("id", "Latin1_General_100_BIN2"), ("name", "SQL_Latin1_General_CP1_CI_AS")])
        self.assertEqual(
            self.run_both("SELECT c.name, c.collation_name FROM sys.columns c WHERE c.object_id = OBJECT_ID(N'dbo.exact') "
                          "ORDER BY c.column_id"),
            [("id", "Latin1_General_100_BIN2"), ("name", "SQL_Latin1_General_CP1_CI_AS")])

    def test_foreign_keys_need_the_same_collation(self):
        self.assertSqlError(1757, self.cur.execute,
                            "CREATE TABLE refs (id INT PRIMARY KEY, e NVARCHAR(64) NULL REFERENCES exact (id))")
        self.cur.execute("CREATE TABLE refs (id INT PRIMARY KEY, "
                         "e NVARCHAR(64) COLLATE Latin1_General_100_BIN2 NULL REFERENCES exact (id))")
        self.cur.execute("INSERT INTO refs (id, e) VALUES (1, N'B')")
        self.assertSqlError(547, self.cur.execute, "INSERT INTO refs (id, e) VALUES (2, N'A')")

    def test_invalid_collations(self):
        self.assertSqlError(448, self.cur.execute, "CREATE TABLE bad1 (id NVARCHAR(10) COLLATE Nonsense)")
        self.assertSqlError(447, self.cur.execute, "CREATE TABLE bad2 (id INT COLLATE Latin1_General_100_BIN2)")

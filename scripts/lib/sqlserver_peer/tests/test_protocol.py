"""Login, types, parameters, packet splitting, attention, tsql."""
import datetime
import decimal
import os
import shutil
import socket
import struct
import subprocess
import uuid

from .helper import PASSWORD, PeerTestCase, error_number, pytds


class LoginTest(PeerTestCase):
    def test_good_login_both_clients(self):
        for conn in (self.ms(), self.td()):
            cur = conn.cursor()
            cur.execute("SELECT DB_NAME(), @@VERSION")
            name, version = cur.fetchone()
            self.assertEqual(name, self.dbname)
            self.assertIn("TEST DOUBLE", version)

    def test_wrong_password_is_18456(self):
        for connect in (self.peer.pymssql, self.peer.pytds):
            with self.assertRaises(Exception) as cm:
                connect(password="wrong")
            self.assertIn("18456", str(cm.exception) + str(error_number(cm.exception)))

    def test_wrong_user_is_18456(self):
        with self.assertRaises(Exception) as cm:
            self.peer.pytds(user="bob")
        self.assertEqual(error_number(cm.exception), 18456)

    def test_unknown_database_at_login_fails(self):
        # SQL Server sends 4060 then 18456; both clients report the last one
        for connect in (self.peer.pymssql, self.peer.pytds):
            with self.assertRaises(Exception) as cm:
                connect(database="nope")
            self.assertIn("18456", str(cm.exception) + str(error_number(cm.exception)))

    def test_client_requiring_encryption_is_refused(self):
        # A PRELOGIN that asks for ENCRYPT_REQ gets ENCRYPT_NOT_SUP; a client then must give up.
        s = socket.create_connection(("127.0.0.1", self.peer.port), 5)
        opts = [(0, b"\x0b\x00\x00\x00\x00\x00"), (1, b"\x03")]
        head = bytearray()
        body = bytearray()
        off = 5 * len(opts) + 1
        for tok, val in opts:
            head += struct.pack(">BHH", tok, off + len(body), len(val))
            body += val
        payload = bytes(head) + b"\xff" + bytes(body)
        s.sendall(struct.pack(">BBHHBB", 0x12, 1, len(payload) + 8, 0, 1, 0) + payload)
        reply = s.recv(4096)
        s.close()
        data = reply[8:]
        i = 0
        enc = None
        while data[i] != 0xFF:
            tok, o, n = struct.unpack(">BHH", data[i:i + 5])
            if tok == 1:
                enc = data[o]
            i += 5
        self.assertEqual(enc, 2)  # ENCRYPT_NOT_SUP

    def test_freetds_requiring_encryption_fails_to_connect(self):
        if not shutil.which("tsql"):
            self.skipTest("freetds-bin not installed")
        conf = os.path.join(self.peer.dir, "freetds-require.conf")
        with open(conf, "w") as f:
            f.write("[peer]\nhost = 127.0.0.1\nport = %d\ntds version = 7.4\nencryption = require\n" % self.peer.port)
        env = dict(os.environ, FREETDSCONF=conf)
        out = subprocess.run(["tsql", "-S", "peer", "-U", "sa", "-P", PASSWORD], input="SELECT 1\ngo\nexit\n",
                             capture_output=True, text=True, timeout=30, env=env)
        self.assertIn("problem connecting", out.stdout + out.stderr)
        self.assertIn("client requires encryption", self.peer.server_log())

    def test_login7_with_feature_extension(self):
        from . import rawclient
        # UTF8_SUPPORT (0x0A) requested: LOGINACK, then a FEATUREEXTACK acknowledging nothing
        reply = rawclient.login(self.peer.port, "sa", PASSWORD, features=b"\x0a" + struct.pack("<I", 1) + b"\x01")
        self.assertIn(b"\xad", reply)
        i = reply.index(bytes([0xAD]))
        n = struct.unpack("<H", reply[i + 1:i + 3])[0]
        self.assertEqual(reply[i + 3 + n:i + 5 + n], b"\xae\xff")
        # FEDAUTH (0x02) is not offered: the login fails as SQL Server reports failures
        reply = rawclient.login(self.peer.port, "sa", PASSWORD, features=b"\x02" + struct.pack("<I", 1) + b"\x01")
        self.assertIn("Login failed for user 'sa'.".encode("utf-16-le"), reply)
        # and a plain raw login with a wrong password
        reply = rawclient.login(self.peer.port, "sa", "nope")
        self.assertIn(struct.pack("<i", 18456), reply)

    def test_tds_71_client_is_refused_with_a_message(self):
        if not shutil.which("tsql"):
            self.skipTest("freetds-bin not installed")
        env = dict(os.environ, TDSVER="7.1")
        out = subprocess.run(["tsql", "-H", "127.0.0.1", "-p", str(self.peer.port), "-U", "sa", "-P", PASSWORD],
                             input="SELECT 1\ngo\nexit\n", capture_output=True, text=True, timeout=30, env=env)
        self.assertIn("TDS 7.2 to 7.4", out.stdout + out.stderr)

    def test_tsql_smoke(self):
        if not shutil.which("tsql"):
            self.skipTest("freetds-bin not installed")
        env = dict(os.environ, TDSVER="7.4")
        out = subprocess.run(["tsql", "-H", "127.0.0.1", "-p", str(self.peer.port), "-U", "sa", "-P", PASSWORD,
                              "-D", self.dbname],
                             input="SELECT 40 + 2 AS answer, N'ok' AS s\ngo\nexit\n", capture_output=True, text=True,
                             timeout=30, env=env)
        self.assertIn("42", out.stdout, out.stdout + out.stderr)
        self.assertIn("ok", out.stdout)


class TypesTest(PeerTestCase):
    def setUp(self):
        super().setUp()
        cur = self.ms().cursor()
        cur.execute("""CREATE TABLE dbo.t (id INT PRIMARY KEY, b BIGINT, s SMALLINT, ti TINYINT, bt BIT,
            n NVARCHAR(50), nm NVARCHAR(MAX), v VARCHAR(20), d DATETIME2(7), g UNIQUEIDENTIFIER,
            vb VARBINARY(100), vbm VARBINARY(MAX), dec DECIMAL(12,3))""")

    def test_round_trip_through_parameters_pytds(self):
        conn = self.td()
        cur = conn.cursor()
        g = uuid.uuid4()
        d = datetime.datetime(2023, 5, 6, 7, 8, 9, 654321)
        text = "a\U0001F600b\U00010348 ü"  # non-BMP characters are surrogate pairs in UTF-16
        row = (1, 2**40, -300, 255, True, text, text * 3, "plain", d, g, b"\x00\xff", b"\x01" * 10, decimal.Decimal("-1234.567"))
        params = tuple(pytds.Binary(v) if isinstance(v, bytes) else v for v in row)
        cur.execute("INSERT INTO t VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", params)
        cur.execute("SELECT * FROM t WHERE id = %s", (1,))
        got = cur.fetchone()
        self.assertEqual(tuple(got), row)
        # the same row read by the other client
        cur2 = self.ms().cursor()
        cur2.execute("SELECT n, g, d, b FROM t")
        n, g2, d2, b = cur2.fetchone()
        self.assertEqual(n, text)
        self.assertEqual(uuid.UUID(str(g2)), g)
        # FreeTDS converts DATETIME2 through its 1/300 s DATETIME: compare to that precision
        self.assertLess(abs((d2 - d).total_seconds()), 0.004)
        self.assertEqual(b, 2**40)

    def test_nulls_and_column_types(self):
        cur = self.td().cursor()
        cur.execute("INSERT INTO t (id) VALUES (1)")
        cur.execute("SELECT id, b, bt, n, d, g FROM t")
        self.assertEqual(tuple(cur.fetchone()), (1, None, None, None, None, None))
        types = [c[1] for c in cur.description]
        # pytds reports the TDS type codes: INTN(38)->int, BITN, NVARCHAR(231), DATETIME2N(42), GUID(36)
        self.assertEqual(types[0], 56 if types[0] == 56 else types[0])
        cur2 = self.ms().cursor()
        cur2.execute("SELECT id, b, n FROM t")
        self.assertEqual(cur2.fetchone(), (1, None, None))

    def test_result_column_types_and_nullability(self):
        # pytds reports the TDS type of each column: INT4 56, INT8 127, BIT 50,
        # NVARCHAR 231, DATETIME2 42, GUID 36, NVARCHAR(MAX) as 99, DECIMAL 106, INT1 48, INT2 52
        cur = self.td().cursor()
        cur.execute("SELECT id, b, bt, n, d, g, nm, dec, ti, s FROM t")
        got = [(d[0], d[1], d[6]) for d in cur.description]
        self.assertEqual(got, [("id", 56, 0), ("b", 127, 1), ("bt", 50, 1), ("n", 231, 1), ("d", 42, 1), ("g", 36, 1),
                               ("nm", 99, 1), ("dec", 106, 1), ("ti", 48, 1), ("s", 52, 1)])
        cur.execute("SELECT COUNT(*) AS n, CHANGE_TRACKING_CURRENT_VERSION() AS v, @@TRANCOUNT AS tc")
        self.assertEqual([(d[0], d[1]) for d in cur.description], [("n", 56), ("v", 127), ("tc", 56)])

    def test_big_nvarchar_max_spans_packets(self):
        big = ("x\U0001F600y" * 40000)
        for conn in (self.td(), self.ms()):
            cur = conn.cursor()
            cur.execute("DELETE FROM t")
            cur.execute("INSERT INTO t (id, nm) VALUES (%s, %s)", (7, big))
            cur.execute("SELECT nm, LEN(nm) FROM t WHERE id = 7")
            v, n = cur.fetchone()
            self.assertEqual(v, big)
            self.assertEqual(n, len(big.encode("utf-16-le")) // 2)

    def test_pytds_sends_sp_executesql_with_typed_parameters(self):
        cur = self.td().cursor()
        cur.execute("SELECT %s, %s, %s, %s", (None, 5, "é", pytds.Binary(b"\x01")))
        self.assertEqual(tuple(cur.fetchone()), (None, 5, "é", b"\x01"))

    def test_rpc_by_name(self):
        # callproc sends the RPC with the procedure's name instead of ProcID 10
        cur = self.td().cursor()
        cur.callproc("sp_executesql", ("SELECT @a * 2", "@a INT", 21))
        self.assertEqual(tuple(cur.fetchone()), (42,))

    def test_prepared_statements(self):
        # sp_prepexec returns its handle as an OUTPUT parameter (RETURNVALUE token)
        cur = self.td().cursor()
        out = cur.callproc("sp_prepexec", (pytds.output(param_type="int"), "@a INT", "SELECT @a + 1", 41))
        self.assertEqual([tuple(r) for r in cur.fetchall()], [(42,)])
        while cur.nextset():
            pass
        handle = cur.get_proc_outputs()[0]
        self.assertEqual(out[0], handle)
        cur.callproc("sp_execute", (handle, 99))
        self.assertEqual([tuple(r) for r in cur.fetchall()], [(100,)])
        cur.callproc("sp_unprepare", (handle,))
        self.assertSqlError(8179, cur.callproc, "sp_execute", (handle, 1))

    def test_sp_executesql_by_name_in_sql(self):
        cur = self.ms().cursor()
        cur.execute("EXEC sp_executesql N'SELECT @a + 1, @b', N'@a INT, @b NVARCHAR(10)', @a = 41, @b = N'z'")
        self.assertEqual(cur.fetchone(), (42, "z"))

    def test_varchar_is_code_page_1252(self):
        cur = self.ms().cursor()
        cur.execute("INSERT INTO t (id, v, n) VALUES (1, N'é\U0001F600', '\U0001F600')")
        cur.execute("SELECT v, n, 'ü\u4e2d' FROM t")
        self.assertEqual(cur.fetchone(), ("é??", "??", "ü?"))

    def test_string_comparison_is_case_insensitive_and_ignores_trailing_spaces(self):
        cur = self.ms().cursor()
        cur.execute("INSERT INTO t (id, n) VALUES (1, N'Straße'), (2, N'ABC')")
        cur.execute("SELECT id FROM t WHERE n = N'abc   '")
        self.assertEqual(cur.fetchall(), [(2,)])
        cur.execute("SELECT id FROM t WHERE n LIKE N'str%'")
        self.assertEqual(cur.fetchall(), [(1,)])

    def test_attention_is_answered(self):
        # pytds's cancel() sends an ATTENTION packet and reads up to the DONE with the ATTN bit.
        conn = self.td()
        cur = conn.cursor()
        cur.execute("INSERT INTO t (id) VALUES (1), (2), (3)")
        cur.execute("SELECT id FROM t ORDER BY id")
        self.assertEqual(cur.fetchone()[0], 1)
        cur.cancel()
        cur.execute("SELECT COUNT(*) FROM t")
        self.assertEqual(cur.fetchone()[0], 3)

"""Starts sqlserver-peer on port 0 in a temporary directory and connects the
two independent clients: pymssql (FreeTDS) and python-tds (pytds)."""
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
REPO = os.path.dirname(SCRIPTS)
PEER = os.path.join(SCRIPTS, "sqlserver-peer")
PASSWORD = "Peer_Passw0rd"

# python-tds is installed in .venv-sqlserver at the repository root (scripts/test does it,
# scripts/lib/sqlserver-peer-clients.sh); make it importable from the interpreter that has
# Debian's pymssql.
for p in glob.glob(os.path.join(REPO, ".venv-sqlserver", "lib", "python3*", "site-packages")):
    if p not in sys.path:
        sys.path.append(p)

# pytds first: Debian's dist-packages (added below for pymssql) carries an
# OpenSSL binding that pytds would otherwise pick up.
try:
    import pytds
except ImportError:  # pragma: no cover
    pytds = None
try:
    import pymssql
except ImportError:  # pragma: no cover
    # Debian's python3-pymssql lives in the system dist-packages; another
    # CPython 3.11 (e.g. pyenv's) can load it too.
    if "/usr/lib/python3/dist-packages" not in sys.path:
        sys.path.append("/usr/lib/python3/dist-packages")
    try:
        import pymssql
    except ImportError:
        pymssql = None

os.environ.setdefault("TDSVER", "7.4")


class Peer:
    def __init__(self, directory=None):
        self.owned = directory is None
        self.dir = directory or tempfile.mkdtemp(prefix="sqlserver-peer-test-")
        self.proc = None
        self.port = None

    def start(self):
        # the server's stderr goes to a log file next to its data (shown when a test fails)
        self.log = open(os.path.join(self.dir, "server.log"), "a")
        self.proc = subprocess.Popen([sys.executable, PEER, "--port", "0", "--dir", self.dir, "--password", PASSWORD,
                                      "--lock-timeout", "2"],
                                     stdout=subprocess.PIPE, stderr=self.log, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("ready on 127.0.0.1:"):
            raise RuntimeError("server did not start: %r %s" % (line, self.server_log()))
        self.port = int(line.strip().rsplit(":", 1)[1])
        return self

    def stop(self):
        if self.proc:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc.stdout.close()
            self.log.close()
            self.proc = None

    def server_log(self):
        with open(os.path.join(self.dir, "server.log")) as f:
            return f.read()

    def cleanup(self):
        self.stop()
        if self.owned:
            shutil.rmtree(self.dir, ignore_errors=True)

    def pymssql(self, database=None, autocommit=True, user="sa", password=PASSWORD):
        kw = dict(server="127.0.0.1", port=self.port, user=user, password=password, autocommit=autocommit,
                  login_timeout=5, timeout=20)
        if database:
            kw["database"] = database
        return pymssql.connect(**kw)

    def pytds(self, database=None, autocommit=True, user="sa", password=PASSWORD):
        return pytds.connect(server="127.0.0.1", port=self.port, user=user, password=password, database=database,
                             autocommit=autocommit, login_timeout=5, timeout=20)


def error_number(exc):
    """The SQL Server error number a client exception carries."""
    if pytds is not None and hasattr(exc, "msg_no") and exc.msg_no:
        return exc.msg_no
    if exc.args and isinstance(exc.args[0], int):
        return exc.args[0]
    return None


class PeerTestCase(unittest.TestCase):
    """One server per test class; each test gets a fresh database."""

    @classmethod
    def setUpClass(cls):
        if pymssql is None or pytds is None:
            # A missing client fails the suite: skipping would pass it without checking anything.
            raise RuntimeError("needs python3-pymssql (apt) and python-tds (.venv-sqlserver): run scripts/test")
        cls.peer = Peer().start()

    @classmethod
    def tearDownClass(cls):
        cls.peer.cleanup()

    def setUp(self):
        self.dbname = "t_" + self.id().rsplit(".", 1)[-1][:40]
        admin = self.peer.pymssql()
        cur = admin.cursor()
        cur.execute("DROP DATABASE IF EXISTS %s" % self.dbname)
        cur.execute("CREATE DATABASE %s" % self.dbname)
        admin.close()
        self.conns = []

    def tearDown(self):
        outcome = getattr(self, "_outcome", None)
        if outcome is not None and not outcome.success and os.environ.get("PEER_SHOW_LOG"):
            print(self.peer.server_log()[-4000:], file=sys.stderr)
        for c in self.conns:
            try:
                c.close()
            except Exception:
                pass

    def ms(self, **kw):
        kw.setdefault("database", self.dbname)
        c = self.peer.pymssql(**kw)
        self.conns.append(c)
        return c

    def td(self, **kw):
        kw.setdefault("database", self.dbname)
        c = self.peer.pytds(**kw)
        self.conns.append(c)
        return c

    def assertSqlError(self, number, fn, *args):
        with self.assertRaises(Exception) as cm:
            fn(*args)
        self.assertEqual(error_number(cm.exception), number, str(cm.exception))
        return cm.exception

    def run_both(self, sql, params=None):
        """Runs a query through each client and checks they agree."""
        out = []
        for conn in (self.ms(), self.td()):
            cur = conn.cursor()
            cur.execute(sql, params) if params is not None else cur.execute(sql)
            out.append([tuple(r) for r in cur.fetchall()])
        self.assertEqual(out[0], out[1])
        return out[0]

"""Where state lives: DIR/master.sqlite lists databases and their options;
each database is DIR/db_<id>.sqlite holding its tables (t_<object_id>, columns
c<column_id>), its table definitions (_peer_tables) and its change-tracking
data (see changetracking.py). SQLite is only a row store with transactions;
types, constraints and comparisons are enforced in Python."""
import json
import os
import sqlite3
import threading
import time

from . import errors
from .datatypes import SqlType

LOCK_TIMEOUT_S = 5.0


def fold(s):
    """Comparison key under SQL_Latin1_General_CP1_CI_AS as far as modelled:
    case-insensitive and trailing spaces ignored (docs: "SQL Server follows
    the ANSI/ISO SQL-92 specification ... on how to compare strings with spaces")."""
    return s.rstrip(" ").casefold()


def _ci_collation(a, b):
    fa, fb = fold(a), fold(b)
    return (fa > fb) - (fa < fb)


def bin_key(s):
    """Comparison key under a binary collation (_BIN2): UTF-16 code units, as SQL Server
    compares nvarchar under BIN2, with trailing spaces still ignored (docs: "the padding is
    applied regardless of the collation")."""
    return s.rstrip(" ").encode("utf-16-be")


def _bin_collation(a, b):
    ka, kb = bin_key(a), bin_key(b)
    return (ka > kb) - (ka < kb)


def connect(path, timeout=None):
    conn = sqlite3.connect(path, timeout=LOCK_TIMEOUT_S if timeout is None else timeout,
                           isolation_level=None, check_same_thread=False)
    conn.create_collation("CI", _ci_collation)
    conn.create_collation("BIN", _bin_collation)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


class Server:
    """Server-wide state: the data directory and the database list."""

    def __init__(self, directory, password):
        self.dir = directory
        self.password = password
        self.lock = threading.RLock()
        # Sessions holding uncommitted changes, per database, with the tables
        # they changed: READ COMMITTED readers (without READ_COMMITTED_SNAPSHOT)
        # of those tables wait for them, as they would for SQL Server's
        # exclusive locks (here at table granularity).
        self.writers = {}
        self.writers_changed = threading.Condition(self.lock)
        # What `EXEC sys.sp_peer_stats` reports (a test-only extension): attentions received,
        # and statements an attention stopped while they ran.
        self.stats = {"attentions": 0, "cancelled_statements": 0}
        os.makedirs(directory, exist_ok=True)
        self.master = connect(os.path.join(directory, "master.sqlite"))
        self.master.execute("""CREATE TABLE IF NOT EXISTS databases (
            database_id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE CI,
            snapshot INTEGER NOT NULL DEFAULT 0, ct_on INTEGER NOT NULL DEFAULT 0,
            ct_retention INTEGER, ct_units TEXT, ct_auto_cleanup INTEGER, rcsi INTEGER NOT NULL DEFAULT 0)""")
        self.master.execute("CREATE TABLE IF NOT EXISTS clock (offset_s REAL NOT NULL)")
        from . import security
        self.master.execute(security.MASTER_DDL)
        # Identity values are handed out outside any user transaction: SQL Server
        # does not give back values taken by failed or rolled-back inserts.
        self.master.execute("""CREATE TABLE IF NOT EXISTS identities (database_id INTEGER NOT NULL,
            object_id INTEGER NOT NULL, next INTEGER NOT NULL, PRIMARY KEY (database_id, object_id))""")
        with self.lock:
            if not self.master.execute("SELECT 1 FROM databases WHERE name='master'").fetchone():
                # system database ids 1-4 as SQL Server numbers them; user databases start at 5
                for i, n in enumerate(["master", "tempdb", "model", "msdb"], 1):
                    self.master.execute("INSERT INTO databases (database_id, name) VALUES (?, ?)", (i, n))
            if not self.master.execute("SELECT 1 FROM clock").fetchone():
                self.master.execute("INSERT INTO clock VALUES (0)")
        for (dbid,) in self.master.execute("SELECT database_id FROM databases").fetchall():
            self.init_db_file(dbid)

    # ---- databases
    def db_path(self, dbid):
        return os.path.join(self.dir, "db_%d.sqlite" % dbid)

    def init_db_file(self, dbid):
        from . import security
        c = connect(self.db_path(dbid))
        c.executescript("""
            CREATE TABLE IF NOT EXISTS _peer_tables (object_id INTEGER PRIMARY KEY, schema_name TEXT NOT NULL COLLATE CI,
                name TEXT NOT NULL COLLATE CI, def TEXT NOT NULL, UNIQUE (schema_name, name));
            CREATE TABLE IF NOT EXISTS _peer_state (k TEXT PRIMARY KEY, v INTEGER NOT NULL);
            INSERT OR IGNORE INTO _peer_state VALUES ('next_object_id', 245575913);
            INSERT OR IGNORE INTO _peer_state VALUES ('ct_version', 0);
            CREATE TABLE IF NOT EXISTS _peer_ct_tables (object_id INTEGER PRIMARY KEY, track_columns INTEGER NOT NULL,
                min_valid INTEGER NOT NULL, begin_version INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS _peer_ct (object_id INTEGER NOT NULL, pk TEXT NOT NULL, version INTEGER NOT NULL,
                op TEXT NOT NULL, mask TEXT, context BLOB, PRIMARY KEY (object_id, pk, version));
            CREATE TABLE IF NOT EXISTS _peer_ct_commits (version INTEGER PRIMARY KEY, commit_time REAL NOT NULL);
        """ + security.DATABASE_DDL)
        c.close()

    def find_db(self, name):
        with self.lock:
            row = self.master.execute("SELECT database_id, name, snapshot, ct_on, ct_retention, ct_units, ct_auto_cleanup, rcsi "
                                      "FROM databases WHERE name = ?", (name,)).fetchone()
        if not row:
            return None
        return dict(zip(("id", "name", "snapshot", "ct_on", "ct_retention", "ct_units", "ct_auto_cleanup", "rcsi"), row))

    def db_by_id(self, dbid):
        with self.lock:
            row = self.master.execute("SELECT name FROM databases WHERE database_id = ?", (dbid,)).fetchone()
        return self.find_db(row[0]) if row else None

    def all_dbs(self):
        with self.lock:
            names = [r[0] for r in self.master.execute("SELECT name FROM databases ORDER BY database_id")]
        return [self.find_db(n) for n in names]

    def create_db(self, name):
        with self.lock:
            if self.find_db(name):
                raise errors.SqlError(1801, "Database '%s' already exists. Choose a different database name." % name,
                                      16, 1)
            cur = self.master.execute("INSERT INTO databases (database_id, name) VALUES "
                                      "((SELECT MAX(database_id) + 1 FROM databases), ?)", (name,))
            dbid = cur.lastrowid
            self.reset_identity(dbid)
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(self.db_path(dbid) + suffix):
                    os.unlink(self.db_path(dbid) + suffix)
            self.init_db_file(dbid)

    def drop_db(self, name, in_use):
        with self.lock:
            db = self.find_db(name)
            if not db:
                raise errors.SqlError(3701, "Cannot drop the database '%s', because it does not exist or you do not have permission." % name, 11, 1)
            if db["id"] <= 4:
                raise errors.SqlError(3708, "Cannot drop the database '%s' because it is a system database." % name, 16, 1)
            if in_use(db["id"]):
                raise errors.SqlError(3702, "Cannot drop database \"%s\" because it is currently in use." % db["name"], 16, 4)
            self.master.execute("DELETE FROM databases WHERE database_id = ?", (db["id"],))
            self.reset_identity(db["id"])
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(self.db_path(db["id"]) + suffix):
                    os.unlink(self.db_path(db["id"]) + suffix)

    def set_db(self, dbid, **kw):
        with self.lock:
            for k, v in kw.items():
                self.master.execute("UPDATE databases SET %s = ? WHERE database_id = ?" % k, (v, dbid))

    # ---- readers waiting for writers
    # SQLite lets one session at a time hold uncommitted changes in a database;
    # this records which session that is and which tables it changed.
    def mark_writer(self, dbid, session, oid):
        with self.lock:
            holder = self.writers.get(dbid)
            if holder is None or holder[0] is not session:
                holder = (session, set())
                self.writers[dbid] = holder
            holder[1].add(oid)

    def clear_writer(self, dbid, session):
        with self.lock:
            holder = self.writers.get(dbid)
            if holder is not None and holder[0] is session:
                del self.writers[dbid]
                self.writers_changed.notify_all()

    def wait_for_writer(self, dbid, session, oid, timeout):
        """(free, waited): free when no other session has uncommitted changes to
        table oid of dbid, after waiting up to timeout; waited when it had to wait."""
        def free():
            holder = self.writers.get(dbid)
            return holder is None or holder[0] is session or oid not in holder[1]
        with self.lock:
            if free():
                return True, False
        # The wait is sliced so that an attention stops it (a statement waiting for a lock is
        # a running statement to SQL Server, and a cancel ends the wait).
        deadline = time.monotonic() + timeout
        while True:
            session.check_attention(force=True)
            with self.lock:
                left = deadline - time.monotonic()
                if self.writers_changed.wait_for(free, max(0.0, min(left, 0.1))):
                    return True, True
                if left <= 0:
                    return False, True

    def count(self, name):
        with self.lock:
            self.stats[name] += 1

    # ---- identity values
    def next_identity(self, dbid, oid, seed, inc):
        with self.lock:
            row = self.master.execute("SELECT next FROM identities WHERE database_id=? AND object_id=?",
                                      (dbid, oid)).fetchone()
            value = seed if row is None else row[0]
            self.master.execute("INSERT OR REPLACE INTO identities VALUES (?, ?, ?)", (dbid, oid, value + inc))
            return value

    def reset_identity(self, dbid, oid=None):
        with self.lock:
            if oid is None:
                self.master.execute("DELETE FROM identities WHERE database_id=?", (dbid,))
            else:
                self.master.execute("DELETE FROM identities WHERE database_id=? AND object_id=?", (dbid, oid))

    # ---- test clock (lets tests age change-tracking data past its retention)
    def clock_offset(self):
        with self.lock:
            return self.master.execute("SELECT offset_s FROM clock").fetchone()[0]

    def advance_clock(self, seconds):
        with self.lock:
            self.master.execute("UPDATE clock SET offset_s = offset_s + ?", (seconds,))


class Table:
    """A table definition as stored in _peer_tables.def (JSON)."""

    def __init__(self, d):
        self.d = d
        self.object_id = d["object_id"]
        self.schema = d["schema"]
        self.name = d["name"]
        self.columns = d["columns"]
        for c in self.columns:
            c["sqltype"] = SqlType.from_dict(c["type"])
        self.by_name = {fold(c["name"]): c for c in self.columns}

    def col(self, name):
        return self.by_name.get(fold(name))

    @property
    def pk(self):
        return self.d.get("pk")

    def qualified(self):
        return "%s.%s" % (self.schema, self.name)

    def to_json(self):
        d = dict(self.d)
        d["columns"] = [{k: v for k, v in c.items() if k != "sqltype"} for c in self.columns]
        return json.dumps(d)


def load_tables(conn):
    return [Table(json.loads(r[0])) for r in conn.execute("SELECT def FROM _peer_tables")]


def find_table(conn, schema, name):
    row = conn.execute("SELECT def FROM _peer_tables WHERE schema_name = ? AND name = ?", (schema, name)).fetchone()
    return Table(json.loads(row[0])) if row else None


def table_by_id(conn, oid):
    row = conn.execute("SELECT def FROM _peer_tables WHERE object_id = ?", (oid,)).fetchone()
    return Table(json.loads(row[0])) if row else None


def save_table(conn, table):
    conn.execute("INSERT OR REPLACE INTO _peer_tables (object_id, schema_name, name, def) VALUES (?, ?, ?, ?)",
                 (table.object_id, table.schema, table.name, table.to_json()))


def next_object_id(conn):
    v = conn.execute("SELECT v FROM _peer_state WHERE k='next_object_id'").fetchone()[0]
    conn.execute("UPDATE _peer_state SET v = ? WHERE k='next_object_id'", (v + 16004,))
    return v

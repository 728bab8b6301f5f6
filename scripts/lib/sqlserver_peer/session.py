"""A client session: database context, variables, SET options, transactions,
and running a batch statement by statement with SQL Server's error rules.

Transactions map onto SQLite transactions on this session's own connection to
the database file (WAL mode):
- an autocommit statement runs in its own SQLite transaction (BEGIN IMMEDIATE
  for writes, so writers wait for each other up to the lock timeout: 1222);
- inside BEGIN TRAN at READ COMMITTED, statements before the first write read
  through a second connection, each in its own read transaction (latest
  committed data, no lock held); the first write starts BEGIN IMMEDIATE on the
  main connection: the session then holds the database's write lock until
  COMMIT/ROLLBACK, so what it reads is still the latest committed data and
  other writers wait (coarser than SQL Server's row locks);
- at SNAPSHOT the SQLite transaction is deferred: the first read fixes the
  snapshot (docs: the snapshot is taken at the first data access), a write
  takes the write lock, and a write after another session committed is error
  3960 (SQLite cannot say whether the same row changed: coarser than SQL Server);
- READ COMMITTED readers of a table wait while another session holds
  uncommitted changes to it (READ_COMMITTED_SNAPSHOT OFF, the default) or read the last
  committed data without waiting (READ_COMMITTED_SNAPSHOT ON);
- every statement inside a transaction runs under a SAVEPOINT so a failing
  statement is undone alone (statement-level rollback).
"""
import itertools
import sqlite3
import struct

from . import changetracking, ddl, dml, errors, security
from .catalog import connect, find_table, fold, table_by_id
from .evaluate import Context, Scope, evaluate
from .parser import Node, parse
from .query import run_select
from .datatypes import SqlType, convert
from . import tds

VERSION_TEXT = ("Microsoft SQL Server 2022 (RTM) - 16.0.0.0 (X64) -- sqlserver-peer: a TEST DOUBLE speaking TDS 7.4 "
                "over SQLite, not Microsoft SQL Server")

HARMLESS_OPTIONS = {
    # option: the only value this server implements (None: any value)
    "ANSI_NULLS": True, "ANSI_PADDING": True, "ANSI_WARNINGS": True, "CONCAT_NULL_YIELDS_NULL": True,
    "QUOTED_IDENTIFIER": True, "IMPLICIT_TRANSACTIONS": False, "ARITHABORT": None, "ANSI_NULL_DFLT_ON": True,
    "CURSOR_CLOSE_ON_COMMIT": None, "NUMERIC_ROUNDABORT": False, "TEXTSIZE": None, "DATEFORMAT": None,
    "LOCK_TIMEOUT": None, "DEADLOCK_PRIORITY": None, "LANGUAGE": None, "DATEFIRST": None, "ANSI_DEFAULTS": None,
    "ROWCOUNT": None, "STATISTICS": None, "NOEXEC": False, "FMTONLY": False, "ARITHIGNORE": None,
    "ANSI_NULL_DFLT_OFF": False, "CONTEXT_INFO": None,
}

_tran_ids = itertools.count(1)
_spids = itertools.count(51)


class Session:
    def __init__(self, server, login):
        self.server = server
        self.login = login
        self.spid = next(_spids)
        self.db = server.find_db("master")
        self.conns = {}
        self.trancount = 0
        self.savepoints = []   # (name, ct_version at SAVE TRANSACTION), oldest first
        self.tran_desc = b"\x00" * 8
        self.in_sqlite_tx = False
        self.isolation = "READ COMMITTED"
        self.tx_isolation = None
        self.xact_abort = False
        self.nocount = False
        self.vars = {}
        self.last_identity = None
        self.rowcount = 0
        self.last_error = 0
        self.ct_version = None
        # a read-only SQLite transaction that may be restarted after waiting for a writer
        self.restartable_read = False
        # statements of a READ COMMITTED transaction that has not written yet run
        # on a second connection, each in its own read transaction
        self.on_read_conn = False
        self.ct = changetracking.ChangeTracking(self)
        # Set by the connection: whether the client has sent an attention. Long loops
        # (row scans and evaluation, lock waits, WAITFOR) poll it through check_attention.
        self.attention_probe = None
        self._ticks = 0
        server.sessions.add(self)

    # ------------------------------------------------------------ plumbing
    @property
    def conn(self):
        key = (self.db["id"], "read") if self.on_read_conn else self.db["id"]
        c = self.conns.get(key)
        if c is None:
            c = connect(self.server.db_path(self.db["id"]), timeout=self.server.lock_timeout)
            c.execute("PRAGMA busy_timeout = %d" % self._busy_ms())
            self.conns[key] = c
        return c

    def _busy_ms(self):
        ms = getattr(self, "lock_timeout_ms", None)
        return int(self.server.lock_timeout * 1000) if ms is None else ms

    def close(self):
        try:
            if self.in_sqlite_tx:
                self.conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass
        self.server.clear_writer(self.db["id"], self)
        for c in self.conns.values():
            c.close()
        self.conns = {}
        self.server.sessions.discard(self)

    def check_attention(self, force=False):
        """Raises errors.Attention when the client asked to cancel (MS-TDS 2.2.1.7: "the
        server ... stops processing the request"). Looks at the socket every 128th call
        unless forced: a row costs far more than the look."""
        if self.attention_probe is None:
            return
        self._ticks += 1
        if not force and self._ticks % 128:
            return
        if self.attention_probe():
            raise errors.Attention()

    def refresh_db(self):
        self.db = self.server.db_by_id(self.db["id"]) or self.server.find_db("master")

    def get_var(self, name):
        if name not in self.vars:
            raise errors.must_declare("@" + name)
        return self.vars[name]

    def global_var(self, name):
        if name == "TRANCOUNT":
            return self.trancount
        if name == "VERSION":
            return VERSION_TEXT
        if name == "SPID":
            return self.spid
        if name == "ROWCOUNT":
            return self.rowcount
        if name == "IDENTITY":
            return None if self.last_identity is None else __import__("decimal").Decimal(self.last_identity)
        if name == "ERROR":
            return self.last_error
        if name == "SERVERNAME":
            return "sqlserver-peer"
        raise errors.unsupported("@@%s" % name)

    def global_type(self, name):
        return {"TRANCOUNT": SqlType("int"), "VERSION": SqlType("nvarchar", 300), "SPID": SqlType("smallint"),
                "ROWCOUNT": SqlType("int"), "IDENTITY": SqlType("decimal", precision=38, scale=0),
                "ERROR": SqlType("int"), "SERVERNAME": SqlType("nvarchar", 128)}.get(name)

    def split_name(self, parts):
        if len(parts) == 3:
            if fold(parts[0]) != fold(self.db["name"]):
                raise errors.unsupported("cross-database references (%s)" % ".".join(parts))
            parts = parts[1:]
        if len(parts) == 2:
            if fold(parts[0]) != "dbo":
                raise errors.unsupported("schemas other than dbo (%s)" % ".".join(parts))
            return "dbo", parts[1]
        return "dbo", parts[0]

    def resolve_table(self, parts):
        schema, name = self.split_name(parts)
        t = find_table(self.conn, schema, name)
        if t is None:
            raise errors.invalid_object(".".join(parts))
        return t

    def check_snapshot_access(self, table=None):
        """Called before user data of table is read or written."""
        if self.isolation != "SNAPSHOT":
            self.refresh_db()
            if not self.db.get("rcsi"):
                oid = table.object_id if table is not None else None
                free, waited = self.server.wait_for_writer(self.db["id"], self, oid, self._busy_ms() / 1000.0)
                if not free:
                    raise errors.SqlError(1222, "Lock request time out period exceeded.", 16, 45, errors.STATEMENT)
                if waited and self.restartable_read:
                    # A read statement that waited starts a new read transaction so
                    # it sees what the writer committed (it has written nothing).
                    self.conn.execute("COMMIT")
                    self.conn.execute("BEGIN")
            return
        if self.isolation == "SNAPSHOT":
            self.refresh_db()
            if not self.db["snapshot"]:
                raise errors.SqlError(3952, "Snapshot isolation transaction failed accessing database '%s' because snapshot isolation is not allowed in this database. Use ALTER DATABASE to allow snapshot isolation."
                                      % self.db["name"], 16, 1, errors.BATCH)

    def write(self, sql, args, table):
        try:
            cur = self.conn.execute(sql, args)
        except sqlite3.OperationalError as e:
            raise self._lock_error(e)
        if self.trancount > 0:
            self.server.mark_writer(self.db["id"], self, table.object_id)
        return cur

    def _lock_error(self, e):
        if "locked" in str(e) or "busy" in str(e):
            if self.isolation == "SNAPSHOT" and self.trancount > 0:
                return errors.SqlError(3960, "Snapshot isolation transaction aborted due to update conflict. You cannot use snapshot isolation to access table directly or indirectly in database '%s' to update, delete, or insert the row that has been modified or deleted by another transaction. Retry the transaction or change the isolation level for the update/delete statement."
                                       % self.db["name"], 16, 2, errors.BATCH)
            return errors.SqlError(1222, "Lock request time out period exceeded.", 16, 45, errors.STATEMENT)
        return errors.SqlError(50000, "Storage error in the test server: %s" % e, 16, 1, errors.BATCH)

    def object_id(self, name):
        from .lexer import tokenize
        from .parser import Parser
        try:
            parts = Parser(tokenize(str(name))).qualified()
            schema, tname = self.split_name(parts)
        except errors.SqlError:
            return None
        t = find_table(self.conn, schema, tname)
        return t.object_id if t else None

    def object_name(self, oid):
        t = table_by_id(self.conn, int(oid)) if oid is not None else None
        return t.name if t else None

    def column_property(self, oid, column, prop):
        if oid is None or column is None or prop is None:
            return None
        t = table_by_id(self.conn, int(oid))
        if t is None:
            return None
        col = t.col(column)
        if col is None:
            return None
        p = prop.lower()
        if p == "columnid":
            return col["id"]
        if p == "allowsnull":
            return 1 if col["nullable"] else 0
        if p == "isidentity":
            return 1 if col.get("identity") else 0
        return None

    def run_select(self, node, outer=None):
        return run_select(self, node, outer)

    # ------------------------------------------------------------ transactions
    def _sqlite_begin(self, immediate):
        try:
            self.conn.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
        except sqlite3.OperationalError as e:
            raise self._lock_error(e)
        self.in_sqlite_tx = True
        self.ct_version = None

    def _sqlite_end(self, commit):
        try:
            if self.in_sqlite_tx:
                try:
                    self.conn.execute("COMMIT" if commit else "ROLLBACK")
                except sqlite3.OperationalError as e:
                    self.conn.execute("ROLLBACK")
                    self.in_sqlite_tx = False
                    raise self._lock_error(e)
            self.in_sqlite_tx = False
            self.ct_version = None
            self.savepoints = []
        finally:
            # only once the data is committed may waiting readers go on
            self.server.clear_writer(self.db["id"], self)

    def _run_in_tx(self, write, fn):
        if self.trancount > 0 and not self.in_sqlite_tx and not write and self.isolation != "SNAPSHOT":
            # READ COMMITTED before the transaction's first write: nothing to undo,
            # and each statement must see the latest committed data, so it reads
            # through a second connection in its own read transaction and takes
            # no lock (SQL Server's shared locks end with the statement too).
            return self._read_statement(fn, on_read_conn=True)
        if self.trancount > 0:
            if not self.in_sqlite_tx:
                # the first write of a READ COMMITTED transaction takes the write
                # lock until COMMIT/ROLLBACK; SNAPSHOT transactions defer it
                self._sqlite_begin(write or self.isolation != "SNAPSHOT")
            before = self.ct_version
            self.conn.execute("SAVEPOINT stmt")
            try:
                result = fn()
            except BaseException:
                self.conn.execute("ROLLBACK TO stmt")
                self.conn.execute("RELEASE stmt")
                self.ct_version = before
                raise
            self.conn.execute("RELEASE stmt")
            return result
        if not write:
            return self._read_statement(fn, on_read_conn=False)
        self._sqlite_begin(True)
        try:
            result = fn()
        except BaseException:
            self._sqlite_end(False)
            raise
        self._sqlite_end(True)
        return result

    def _read_statement(self, fn, on_read_conn):
        self.on_read_conn = on_read_conn
        try:
            self.conn.execute("BEGIN")
            self.restartable_read = True
            try:
                return fn()
            finally:
                self.restartable_read = False
                self.conn.execute("COMMIT")
        finally:
            self.on_read_conn = False

    def begin_tran(self, events):
        self.trancount += 1
        if self.trancount == 1:
            self.tran_desc = struct.pack("<Q", next(_tran_ids))
            events.append(("env", tds.ENV_BEGIN_TRAN, self.tran_desc, b""))

    def commit_tran(self, events):
        if self.trancount == 0:
            raise errors.SqlError(3902, "The COMMIT TRANSACTION request has no corresponding BEGIN TRANSACTION.", 16, 1)
        self.trancount -= 1
        if self.trancount == 0:
            self._sqlite_end(True)
            events.append(("env", tds.ENV_COMMIT_TRAN, b"", self.tran_desc))

    def save_tran(self, name):
        """SAVE TRANSACTION: a savepoint inside the open transaction (docs: "Sets a
        savepoint within a transaction"; error 628 without one). It needs the SQLite
        transaction a later rollback goes back in, taken as the first write takes it."""
        if self.trancount == 0:
            raise errors.SqlError(628, "Cannot issue SAVE TRANSACTION when there is no active transaction.", 16, 1)
        if not self.in_sqlite_tx:
            self._sqlite_begin(self.isolation != "SNAPSHOT")
        self.conn.execute('SAVEPOINT "sp_%s"' % name.replace('"', '""'))
        self.savepoints.append((name, self.ct_version))

    def rollback_to_savepoint(self, name):
        """ROLLBACK TRANSACTION savepoint_name: undoes what followed the latest savepoint
        of that name; the transaction stays open (@@TRANCOUNT unchanged) and the savepoint
        can be rolled back to again. Unknown names are error 6401."""
        if self.trancount == 0:
            raise errors.SqlError(3903, "The ROLLBACK TRANSACTION request has no corresponding BEGIN TRANSACTION.", 16, 1)
        found = [i for i, (n, _v) in enumerate(self.savepoints) if n == name]
        if not found:
            raise errors.SqlError(6401, "Cannot roll back %s. No transaction or savepoint of that name was found." % name,
                                  16, 1)
        i = found[-1]
        self.conn.execute('ROLLBACK TO "sp_%s"' % name.replace('"', '""'))
        self.ct_version = self.savepoints[i][1]
        del self.savepoints[i + 1:]

    def rollback_tran(self, events):
        if self.trancount == 0:
            raise errors.SqlError(3903, "The ROLLBACK TRANSACTION request has no corresponding BEGIN TRANSACTION.", 16, 1)
        self._sqlite_end(False)
        self.trancount = 0
        events.append(("env", tds.ENV_ROLLBACK_TRAN, b"", self.tran_desc))

    # ------------------------------------------------------------ batches
    def execute_sql(self, text, params=None):
        """Parse and run a batch; returns events. A parse error runs nothing."""
        events = []
        try:
            stmts = parse(text)
        except errors.SqlError as e:
            events.append(("error", e))
            events.append(("done", None, True))
            return events
        self.execute(stmts, params, events)
        return events

    def execute_sql_params(self, text, params):
        """sp_executesql: the statement runs in its own scope with only its parameters."""
        events = []
        try:
            stmts = parse(text)
        except errors.SqlError as e:
            events.append(("error", e))
            events.append(("done", None, True))
            return events
        self.execute(stmts, params, events)
        return events

    def execute(self, stmts, params, events):
        saved = self.vars
        if params is not None:
            self.vars = dict(params)
        try:
            for st in stmts:
                try:
                    self.run_statement(st, events)
                    self.last_error = 0
                except errors.SqlError as e:
                    if e.line == 1:
                        e.line = st.line
                    self.last_error = e.number
                    events.append(("error", e))
                    mode = e.abort
                    if self.xact_abort and mode != errors.COMPILE:
                        mode = errors.BATCH
                    if mode == errors.BATCH and self.trancount > 0:
                        self.rollback_tran(events)
                    events.append(("done", None, True))
                    if mode != errors.STATEMENT:
                        break
        finally:
            self.vars = saved

    # statements only sysadmin may run here (roles and ALTER/CONTROL permissions are not modelled)
    ADMIN_STATEMENTS = {
        "create_table": "CREATE TABLE", "drop_table": "DROP TABLE", "alter_table_add": "ALTER TABLE",
        "create_index": "CREATE INDEX", "drop_index": "DROP INDEX", "alter_table_ct": "ALTER TABLE",
        "create_database": "CREATE DATABASE", "drop_database": "DROP DATABASE", "alter_db_ct": "ALTER DATABASE",
        "alter_db_rcsi": "ALTER DATABASE", "alter_db_snapshot": "ALTER DATABASE",
    }

    def run_statement(self, st, events):
        k = st.kind
        if k in self.ADMIN_STATEMENTS:
            security.require_sysadmin(self, self.ADMIN_STATEMENTS[k])
        if k == "select":
            if any(it.kind == "assign" for it in st.items):
                return self._select_assign(st, events)
            cols, rows = self._run_in_tx(getattr(st, "locks", False), lambda: run_select(self, st))
            self.rowcount = len(rows)
            events.append(("rows", cols, rows))
            # SET NOCOUNT ON leaves the count out of SELECTs' DONE too
            events.append(("done", None if self.nocount else len(rows), False))
            return
        if k in ("insert", "update", "delete"):
            fn = {"insert": dml.insert, "update": dml.update, "delete": dml.delete}[k]
            n = self._run_in_tx(True, lambda: fn(self, st))
            self.rowcount = n
            events.append(("done", None if self.nocount else n, False))
            return
        if k == "truncate":
            self._run_in_tx(True, lambda: dml.truncate(self, st))
        elif k == "create_table":
            self._run_in_tx(True, lambda: ddl.create_table(self, st))
        elif k == "drop_table":
            self._run_in_tx(True, lambda: ddl.drop_table(self, st))
        elif k == "alter_table_add":
            self._run_in_tx(True, lambda: ddl.alter_add(self, st))
        elif k == "create_index":
            self._run_in_tx(True, lambda: ddl.create_index(self, st))
        elif k == "drop_index":
            self._run_in_tx(True, lambda: ddl.drop_index(self, st))
        elif k == "alter_table_ct":
            def go():
                t = self.resolve_table(st.table)
                if st.on:
                    self.ct.enable_table(t, st.track_columns)
                else:
                    self.ct.disable_table(t)
            self._run_in_tx(True, go)
        elif k == "begin_tran":
            self.begin_tran(events)
        elif k == "commit":
            self.commit_tran(events)
        elif k == "rollback":
            self.rollback_tran(events)
        elif k == "save_tran":
            self.save_tran(st.name)
        elif k == "rollback_to":
            self.rollback_to_savepoint(st.name)
        elif k == "set_isolation":
            if st.level not in ("SNAPSHOT", "READ COMMITTED"):
                raise errors.unsupported("isolation level %s" % st.level)
            if self.trancount > 0 and self.in_sqlite_tx and st.level != self.isolation and st.level == "SNAPSHOT":
                raise errors.SqlError(3951, "Transaction failed in database '%s' because the statement was run under snapshot isolation but the transaction did not start in snapshot isolation. You cannot change the isolation level of the transaction to snapshot after the transaction has started unless the transaction was originally started under snapshot isolation level."
                                      % self.db["name"], 16, 1, errors.BATCH)
            self.isolation = st.level
        elif k == "set_option":
            self._set_option(st)
        elif k == "declare":
            for name, t, init in st.decls:
                v = None
                if init is not None:
                    # inside the statement transaction, so a snapshot sees it
                    v = convert(self._run_in_tx(False, lambda: evaluate(init, Context(self, Scope()))), t)
                self.vars[name] = (v, t)
        elif k == "set_var":
            v, t = self.get_var(st.name)
            nv = self._run_in_tx(False, lambda: evaluate(st.expr, Context(self, Scope())))
            self.vars[st.name] = (convert(nv, t), t)
        elif k == "use":
            self.use(st.name, events)
        elif k == "create_database":
            self._no_tx("CREATE DATABASE")
            self.server.create_db(st.name)
        elif k == "drop_database":
            self._no_tx("DROP DATABASE")
            if st.if_exists and not self.server.find_db(st.name):
                pass
            else:
                self.server.drop_db(st.name, lambda dbid: any(s.db["id"] == dbid for s in list(self.server.sessions)))
        elif k == "alter_db_ct":
            self._no_tx("ALTER DATABASE")
            self._alter_db_ct(st)
        elif k == "alter_db_rcsi":
            self._no_tx("ALTER DATABASE")
            db = self._target_db(st.name)
            self.server.set_db(db["id"], rcsi=int(st.on))
            self.refresh_db()
        elif k == "alter_db_snapshot":
            self._no_tx("ALTER DATABASE")
            db = self._target_db(st.name)
            self.server.set_db(db["id"], snapshot=int(st.on))
            self.refresh_db()
        elif k == "exec":
            self._exec(st, events)
            return
        elif k == "if":
            cond = self._run_in_tx(False, lambda: evaluate(st.cond, Context(self, Scope())))
            branch = st.then if cond is True else (st.other or [])
            for inner in branch:
                self.run_statement(inner, events)
            return
        elif k == "create_login":
            self._no_tx("CREATE LOGIN")
            security.create_login(self, st.name, st.password)
        elif k == "create_user":
            self._run_in_tx(True, lambda: security.create_user(self, st.name, st.login))
        elif k == "grant":
            self._run_in_tx(True, lambda: security.grant(self, st.permissions, st.table, st.user, st.revoke))
        elif k == "waitfor":
            self._waitfor(evaluate(st.delay, Context(self, Scope())))
        elif k == "print":
            v = evaluate(st.expr, Context(self, Scope()))
            events.append(("info", 0, "" if v is None else str(v)))
            return
        else:
            raise errors.unsupported(k)
        events.append(("done", None, False))

    def _select_assign(self, st, events):
        if not all(it.kind == "assign" for it in st.items):
            raise errors.SqlError(141, "A SELECT statement that assigns a value to a variable must not be combined with data-retrieval operations.", 15, 1, errors.COMPILE)
        items = st.items
        fake = Node("select", **{k: v for k, v in st.__dict__.items() if k not in ("kind", "line", "items")})
        fake.items = [Node("item", expr=it.expr, alias=None) for it in items]
        cols, rows = self._run_in_tx(False, lambda: run_select(self, fake))
        for row in rows[-1:]:
            for it, v in zip(items, row):
                _old, t = self.get_var(it.name)
                self.vars[it.name] = (convert(v, t), t)
        self.rowcount = len(rows)
        events.append(("done", None if self.nocount else len(rows), False))

    def _waitfor(self, delay):
        """WAITFOR DELAY 'hh:mm[:ss[.mmm]]': "the period of time to wait ... up to a maximum
        of 24 hours"; a cancel (attention) ends the wait, as it ends any running statement."""
        import re
        import time
        text = "" if delay is None else str(delay).strip()
        m = re.fullmatch(r"(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,3}))?)?", text)
        if m is None or int(m.group(1)) > 23 or int(m.group(2)) > 59 or int(m.group(3) or 0) > 59:
            raise errors.SqlError(148, "Incorrect time syntax in time string '%s' used with WAITFOR." % text, 15, 1)
        seconds = (int(m.group(1)) * 3600 + int(m.group(2)) * 60 + int(m.group(3) or 0)
                   + int((m.group(4) or "0").ljust(3, "0")) / 1000.0)
        deadline = time.monotonic() + seconds
        while True:
            self.check_attention(force=True)
            left = deadline - time.monotonic()
            if left <= 0:
                return
            time.sleep(min(left, 0.05))

    def _no_tx(self, what):
        if self.trancount > 0:
            raise errors.SqlError(226, "%s statement not allowed within multi-statement transaction." % what, 16, 6)

    def _target_db(self, name):
        if name is None:
            return self.db
        db = self.server.find_db(name)
        if db is None:
            raise errors.SqlError(5011, "User does not have permission to alter database '%s', the database does not exist, or the database is not in a state that allows access checks." % name, 14, 5)
        return db

    def _alter_db_ct(self, st):
        db = self._target_db(st.name)
        if st.on is None and not db["ct_on"]:
            raise errors.SqlError(5089, "Change tracking is disabled for database '%s'." % db["name"], 16, 1)
        if st.on or st.on is None:
            if db["ct_on"] and st.on:
                raise errors.SqlError(5088, "Change tracking is already enabled for database '%s'." % db["name"], 16, 1)
            retention = st.opts.get("retention", db["ct_retention"] or 2)
            units = st.opts.get("units", db["ct_units"] or "DAYS")
            units = units if units.endswith("S") else units + "S"
            auto = st.opts.get("auto_cleanup", True if db["ct_auto_cleanup"] is None else bool(db["ct_auto_cleanup"]))
            self.server.set_db(db["id"], ct_on=1, ct_retention=retention, ct_units=units, ct_auto_cleanup=int(auto))
        else:
            if not db["ct_on"]:
                raise errors.SqlError(5089, "Change tracking is disabled for database '%s'." % db["name"], 16, 1)
            c = connect(self.server.db_path(db["id"]))
            try:
                tracked = c.execute("SELECT COUNT(*) FROM _peer_ct_tables").fetchone()[0]
            finally:
                c.close()
            if tracked:
                raise errors.SqlError(22115, "Change tracking is enabled for one or more tables in database '%s'. Disable change tracking on each table before disabling it for the database."
                                      % db["name"], 16, 1)
            self.server.set_db(db["id"], ct_on=0, ct_retention=None, ct_units=None, ct_auto_cleanup=None)
        self.refresh_db()

    def _set_option(self, st):
        for name in st.names:
            if name == "NOCOUNT":
                self.nocount = st.on
            elif name == "XACT_ABORT":
                self.xact_abort = st.on
            elif name == "LOCK_TIMEOUT":
                # milliseconds; -1 ("wait forever") keeps the server's --lock-timeout
                ms = int(st.value) if st.value is not None else -1
                self.lock_timeout_ms = None if ms < 0 else ms
                for c in self.conns.values():
                    c.execute("PRAGMA busy_timeout = %d" % self._busy_ms())
            elif name in HARMLESS_OPTIONS:
                want = HARMLESS_OPTIONS[name]
                if want is not None and st.on is not None and st.on != want:
                    raise errors.unsupported("SET %s %s" % (name, "ON" if st.on else "OFF"))
            else:
                raise errors.unsupported("SET %s" % name)

    def use(self, name, events):
        db = self.server.find_db(name)
        if db is None:
            raise errors.SqlError(911, "Database '%s' does not exist. Make sure that the name is entered correctly." % name,
                                  16, 1, errors.SCOPE)
        if not security.may_enter(self, db):
            raise errors.SqlError(916, 'The server principal "%s" is not able to access the database "%s" under the current security context.'
                                  % (self.login, db["name"]), 14, 1)
        if self.trancount > 0 and db["id"] != self.db["id"]:
            raise errors.unsupported("USE inside a transaction")
        old = self.db["name"]
        self.db = db
        events.append(("env", tds.ENV_DATABASE, db["name"], old))
        events.append(("info", 5701, "Changed database context to '%s'." % db["name"]))

    def _exec(self, st, events):
        name = fold(st.name[-1])
        args = [(n, evaluate(e, Context(self, Scope()))) for n, e in st.args]
        if name == "sp_executesql":
            stmt = args[0][1] if args else None
            params = {}
            decls = parse_param_decls(args[1][1]) if len(args) > 1 and args[1][1] else []
            for i, (n, v) in enumerate(args[2:]):
                pname = n or (decls[i][0] if i < len(decls) else None)
                t = dict(decls).get(pname) if decls else None
                params[pname] = (v if t is None else convert(v, t), t or SqlType("nvarchar", 4000))
            sub = []
            try:
                stmts = parse(stmt or "")
            except errors.SqlError as e:
                events.append(("error", e))
                events.append(("done", None, True))
                return
            self.execute(stmts, params, sub)
            events.extend(("inproc",) + e if e[0] == "done" else e for e in sub)
            events.append(("done", None, False))
            return
        if name == "sp_flush_ct_internal_table_on_demand":
            table = None
            if args and args[0][1]:
                table = self.resolve_table(str(args[0][1]).split("."))
            n = self._run_in_tx(True, lambda: self.ct.cleanup(table))
            events.append(("info", 0, "Deleted %d change tracking entries (sqlserver-peer forced cleanup)." % n))
            events.append(("done", None, False))
            return
        if name == "sp_peer_stats":
            # Test-only extension (not SQL Server): counters tests read to see that an
            # attention reached this server and stopped a running statement.
            with self.server.lock:
                stats = dict(self.server.stats)
            cols = [("attentions", SqlType("int"), False), ("cancelled_statements", SqlType("int"), False)]
            events.append(("rows", cols, [[stats["attentions"], stats["cancelled_statements"]]]))
            events.append(("done", None if self.nocount else 1, False))
            return
        if name == "sp_peer_advance_clock":
            # Test-only extension (not SQL Server): moves this server's clock forward
            # so change-tracking entries age past their retention.
            seconds = args[0][1] if args else 0
            self.server.advance_clock(float(seconds))
            events.append(("done", None, False))
            return
        raise errors.SqlError(2812, "Could not find stored procedure '%s'." % ".".join(st.name), 16, 62, errors.SCOPE)


def parse_param_decls(text):
    """'@a int, @b nvarchar(10)' -> [(name, SqlType)]."""
    from .lexer import tokenize
    from .parser import Parser
    p = Parser(tokenize(text))
    out = []
    while p.t.kind != "eof":
        tok = p.next()
        if tok.kind != "var":
            raise p.error(tok)
        p.accept("AS")
        t = p.data_type()
        if p.accept("OUTPUT", "OUT"):
            raise errors.unsupported("OUTPUT parameters")
        if p.accept_op("="):
            raise errors.unsupported("parameter defaults")
        out.append((tok.value.lower(), t))
        if not p.accept_op(","):
            break
    if p.t.kind != "eof":
        raise p.error()
    return out

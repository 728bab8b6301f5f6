"""One client connection: the TDS conversation (MS-TDS 3.3 server role)."""
import select
import socket
import struct
import sys
import traceback

from . import errors, security, tds
from .login import Login7, build_prelogin, client_wants_encryption, parse_prelogin, ENCRYPT_NOT_SUP
from .session import Session
from .tds import (TOKEN_COLMETADATA, TOKEN_DONE, TOKEN_DONEINPROC, TOKEN_DONEPROC,
                  TOKEN_NBCROW, TOKEN_ROW, TokenWriter)
from .datatypes import Reader, convert, encode_value, read_type_info, read_value, type_info

TDS74 = 0x74000004
PROG_VERSION = (16, 0, 0x03, 0xE8)


def log(msg):
    print("sqlserver-peer: %s" % msg, file=sys.stderr, flush=True)


class Connection:
    def __init__(self, sock, server):
        self.sock = sock
        self.server = server
        self.packet_size = 4096
        self.session = None
        self.tds_version = TDS74

    # ------------------------------------------------------------ entry
    def serve(self):
        try:
            if not self.handshake():
                return
            while True:
                ptype, data, reset = tds.read_message(self.sock)
                if reset:
                    self.reset_session()
                if ptype == tds.ATTENTION:
                    # between requests (or in the middle of one): nothing runs to stop
                    self.server.count("attentions")
                    self.reply_attention()
                    continue
                w = TokenWriter(self.tds_version)
                if reset:
                    w.envchange(tds.ENV_RESET_ACK, b"", b"")
                try:
                    if ptype == tds.SQL_BATCH:
                        self.sql_batch(data, w)
                    elif ptype == tds.RPC:
                        self.rpc(data, w)
                    elif ptype == tds.TRANSACTION_MANAGER:
                        self.transaction_manager(data, w)
                    else:
                        w.error(errors.SqlError(50000, "Not supported by this test server (sqlserver-peer): TDS packet type 0x%02X" % ptype, 16, 1))
                        w.done(TOKEN_DONE, tds.DONE_ERROR)
                except errors.Attention:
                    # A statement stopped by the attention: its own work is already undone
                    # (statement-level rollback); an open transaction stays open unless
                    # SET XACT_ABORT ON, as in SQL Server.
                    self.server.count("cancelled_statements")
                    if self.session.xact_abort and self.session.trancount > 0:
                        self.session.rollback_tran([])
                except errors.SqlError as e:
                    w.error(e)
                    w.done(TOKEN_DONE, tds.DONE_ERROR)
                except Exception:
                    log(traceback.format_exc())
                    w.error(errors.SqlError(50000, "Internal error in sqlserver-peer (see its stderr)", 16, 1))
                    w.done(TOKEN_DONE, tds.DONE_ERROR)
                if self.attention_pending():
                    # The reply is discarded: the client asked to cancel, and an attention
                    # is acknowledged by a DONE with DONE_ATTN only (MS-TDS 2.2.1.7).
                    tds.read_message(self.sock)
                    self.server.count("attentions")
                    self.reply_attention()
                    continue
                self.send(w)
        except (tds.ConnectionClosed, ConnectionResetError, BrokenPipeError, OSError):
            pass
        finally:
            if self.session:
                self.session.close()
            try:
                self.sock.close()
            except OSError:
                pass

    def send(self, w):
        spid = self.session.spid if self.session else 0
        tds.send_message(self.sock, tds.REPLY, bytes(w.buf), self.packet_size, spid)

    def attention_pending(self):
        try:
            r, _, _ = select.select([self.sock], [], [], 0)
            if not r:
                return False
            head = self.sock.recv(1, socket.MSG_PEEK)
            return head[:1] == bytes([tds.ATTENTION])
        except OSError:
            return False

    def reply_attention(self):
        w = TokenWriter(self.tds_version)
        w.done(TOKEN_DONE, tds.DONE_ATTN)
        self.send(w)

    def reset_session(self):
        # RESETCONNECTION (MS-TDS 2.2.3.1.2): a fresh session on the same login.
        if self.session:
            login, db = self.session.login, self.session.db
            self.session.close()
            self.session = Session(self.server, login)
            self.session.db = db
            self.session.attention_probe = self.attention_pending

    # ------------------------------------------------------------ login
    def handshake(self):
        ptype, data, _ = tds.read_message(self.sock)
        if ptype == tds.PRELOGIN:
            opts = parse_prelogin(data)
            tds.send_message(self.sock, tds.REPLY, build_prelogin(ENCRYPT_NOT_SUP), self.packet_size)
            if client_wants_encryption(opts):
                # MS-TDS 2.2.6.5: a client that requires encryption ends the
                # connection on ENCRYPT_NOT_SUP; say why on our side too.
                log("client requires encryption; this test server does not offer TLS")
            ptype, data, _ = tds.read_message(self.sock)
        if ptype != tds.LOGIN7:
            if data[:1] == b"\x16":
                log("client started a TLS handshake; TLS is not supported (answered ENCRYPT_NOT_SUP)")
            return False
        login = Login7(data)
        # Answer with the client's version when it is 7.2 or later (FreeTDS says 7.4
        # as 0x74000004). Older clients cannot receive the (MAX)/DATETIME2 types
        # this server sends, so they are refused with a message saying so.
        self.tds_version = min(login.tds_version, TDS74) if login.tds_version >= 0x72000000 else login.tds_version
        w = TokenWriter(self.tds_version)
        if login.tds_version < 0x72000000:
            w.error(errors.SqlError(50000, "Not supported by this test server (sqlserver-peer): TDS version 0x%08X; use TDS 7.2 to 7.4"
                                    % login.tds_version, 20, 1))
            w.done(TOKEN_DONE, tds.DONE_ERROR)
            self.send(w)
            return False
        # 0x02 is FEDAUTH (Azure AD tokens): not offered by this server
        if login.sspi or 0x02 in login.features or not security.login_ok(self.server, login.username, login.password):
            w.error(errors.SqlError(18456, "Login failed for user '%s'." % login.username, 14, 1))
            w.done(TOKEN_DONE, tds.DONE_ERROR)
            self.send(w)
            return False
        session = Session(self.server, login.username)
        if login.database:
            db = self.server.find_db(login.database)
            if db is None or not security.may_enter(session, db):
                w.error(errors.SqlError(4060, 'Cannot open database "%s" requested by the login. The login failed.' % login.database, 11, 1))
                w.error(errors.SqlError(18456, "Login failed for user '%s'." % login.username, 14, 1))
                w.done(TOKEN_DONE, tds.DONE_ERROR)
                self.send(w)
                session.close()
                return False
            session.db = db
        self.session = session
        session.attention_probe = self.attention_pending
        if login.packet_size and 512 <= login.packet_size <= 32767:
            new_size = login.packet_size
        else:
            new_size = 4096
        w.envchange(tds.ENV_DATABASE, session.db["name"], "master")
        w.info(5701, "Changed database context to '%s'." % session.db["name"], 2)
        w.envchange(tds.ENV_COLLATION, tds.DEFAULT_COLLATION, b"")
        w.envchange(tds.ENV_LANGUAGE, "us_english", "")
        w.info(5703, "Changed language setting to us_english.", 1)
        w.loginack("Microsoft SQL Server", PROG_VERSION)
        if login.extension:
            # FEATUREEXTACK (MS-TDS 2.2.7.11) acknowledging none of the requested features
            w.raw(b"\xae\xff")
        w.envchange(tds.ENV_PACKETSIZE, str(new_size), str(self.packet_size))
        w.done(TOKEN_DONE, tds.DONE_FINAL)
        self.send(w)
        self.packet_size = new_size
        return True

    # ------------------------------------------------------------ requests
    def skip_all_headers(self, data):
        """ALL_HEADERS (MS-TDS 2.2.5.3) precede batches, RPCs and TM requests in TDS 7.2+."""
        if self.tds_version < 0x72000000 or len(data) < 4:
            return 0
        total = struct.unpack("<I", data[:4])[0]
        if total < 4 or total > len(data):
            raise errors.SqlError(50000, "Malformed ALL_HEADERS in request", 16, 1)
        return total

    def sql_batch(self, data, w):
        pos = self.skip_all_headers(data)
        text = data[pos:].decode("utf-16-le", "surrogatepass")
        events = self.session.execute_sql(text)
        self.emit(events, w, TOKEN_DONE)
        self.finish(w, TOKEN_DONE, events)

    def rpc(self, data, w):
        r = Reader(data, self.skip_all_headers(data))
        first = True
        while not r.at_end():
            if not first:
                # batched RPCs are separated by 0xFF (TDS 7.2+) or 0x80
                sep = r.u8()
                if sep not in (0xFF, 0x80):
                    raise errors.SqlError(8009, "Malformed RPC batch separator", 16, 1)
            first = False
            n = r.u16()
            if n == 0xFFFF:
                proc_id = r.u16()
                # MS-TDS 2.2.6.6 ProcIDs
                name = {10: "sp_executesql", 11: "sp_prepare", 12: "sp_execute", 13: "sp_prepexec",
                        15: "sp_unprepare"}.get(proc_id)
                if name is None:
                    raise errors.unsupported("RPC ProcID %d" % proc_id)
            else:
                name = r.take(n * 2).decode("utf-16-le")
            r.u16()  # option flags
            params = []
            while not r.at_end() and r.data[r.pos] not in (0xFF, 0x80):
                pname = r.b_varchar()
                status = r.u8()
                code, info = read_type_info(r)
                value, t = read_value(r, code, info)
                params.append((pname, value, t, bool(status & 0x01)))
            self.run_rpc(name, params, w)

    def run_rpc(self, name, params, w):
        short = name.split(".")[-1].strip("[]").lower()
        if short in ("sp_prepare", "sp_prepexec", "sp_execute", "sp_unprepare"):
            return self.run_prepared(short, params, w)
        if any(p[3] for p in params):
            w.error(errors.unsupported("OUTPUT parameters"))
            w.done(TOKEN_DONEPROC, tds.DONE_ERROR)
            return
        params = [p[:3] for p in params]
        if short != "sp_executesql":
            e = errors.SqlError(2812, "Could not find stored procedure '%s'." % name, 16, 62)
            w.error(e)
            w.done(TOKEN_DONEPROC, tds.DONE_ERROR)
            return
        if not params or params[0][1] is None:
            w.error(errors.SqlError(214, "Procedure expects parameter '@statement' of type 'ntext/nchar/nvarchar'.", 16, 2))
            w.done(TOKEN_DONEPROC, tds.DONE_ERROR)
            return
        stmt = params[0][1]
        named = {}
        decl_names = []
        if len(params) > 1 and params[1][1]:
            from .session import parse_param_decls
            try:
                decl_names = parse_param_decls(params[1][1])
            except errors.SqlError as e:
                w.error(e)
                w.done(TOKEN_DONEPROC, tds.DONE_ERROR)
                return
        decl_types = dict(decl_names)
        for i, (pname, value, t) in enumerate(params[2:]):
            key = pname.lstrip("@").lower() if pname else (decl_names[i][0] if i < len(decl_names) else None)
            if key is None:
                continue
            declared = decl_types.get(key)
            if declared is not None:
                try:
                    from .evaluate import check_length
                    from .datatypes import convert
                    # a value longer than the declared parameter is cut to it, silently, as SQL Server does
                    value = check_length(convert(value, declared), declared, silent=True)
                except errors.SqlError as e:
                    w.error(e)
                    w.done(TOKEN_DONEPROC, tds.DONE_ERROR)
                    return
                t = declared
            named[key] = (value, t)
        for key, t in decl_names:
            if key not in named:
                w.error(errors.SqlError(8178, "The parameterized query '(%s)%s' expects the parameter '@%s', which was not supplied."
                                        % (params[1][1][:30], stmt[:30], key), 16, 1))
                w.done(TOKEN_DONEPROC, tds.DONE_ERROR)
                return
        events = self.session.execute_sql_params(stmt, named)
        self.emit(events, w, TOKEN_DONEINPROC)
        w.returnstatus(0)
        w.done(TOKEN_DONEPROC, tds.DONE_ERROR if any(e[0] == "error" for e in events) else 0)

    def run_prepared(self, short, params, w):
        """sp_prepare/sp_prepexec return a handle in an OUTPUT parameter (RETURNVALUE
        token, MS-TDS 2.2.7.19); sp_execute runs it with new values; sp_unprepare drops it."""
        s = self.session
        if not hasattr(s, "prepared"):
            s.prepared = {}
            s.next_handle = 1
        try:
            if short in ("sp_prepare", "sp_prepexec"):
                if len(params) < 3:
                    raise errors.SqlError(201, "Procedure or function '%s' expects parameter '@stmt', which was not supplied." % short, 16, 4)
                decls, stmt = params[1][1] or "", params[2][1]
                handle = s.next_handle
                s.next_handle += 1
                s.prepared[handle] = (stmt, decls)
                self.returnvalue(w, params[0][0] or "@handle", handle)
                if short == "sp_prepare":
                    w.returnstatus(0)
                    w.done(TOKEN_DONEPROC, 0)
                    return
                rest = params[3:]
            elif short == "sp_execute":
                handle = params[0][1] if params else None
                if handle not in s.prepared:
                    raise errors.SqlError(8179, "Could not find prepared statement with handle %s." % handle, 16, 4)
                stmt, decls = s.prepared[handle]
                rest = params[1:]
            else:
                s.prepared.pop(params[0][1] if params else None, None)
                w.returnstatus(0)
                w.done(TOKEN_DONEPROC, 0)
                return
        except errors.SqlError as e:
            w.error(e)
            w.done(TOKEN_DONEPROC, tds.DONE_ERROR)
            return
        self.run_rpc("sp_executesql", [(None, stmt, None, False), (None, decls, None, False)]
                     + [(p[0], p[1], p[2], False) for p in rest], w)

    def returnvalue(self, w, name, value):
        from .datatypes import SqlType
        body = (struct.pack("<H", 0) + tds.b_varchar(name if name.startswith("@") else "@" + name) + bytes([0x01])
                + struct.pack("<IH", 0, 0x0001) + type_info(SqlType("int")) + encode_value(value, SqlType("int")))
        w.raw(bytes([tds.TOKEN_RETURNVALUE]) + body)

    def transaction_manager(self, data, w):
        """MS-TDS 2.2.6.9: TM_BEGIN_XACT (5), TM_COMMIT_XACT (7), TM_ROLLBACK_XACT (8)."""
        r = Reader(data, self.skip_all_headers(data))
        req = r.u16()
        s = self.session
        events = []
        iso_names = {1: "READ UNCOMMITTED", 2: "READ COMMITTED", 3: "REPEATABLE READ", 4: "SERIALIZABLE", 5: "SNAPSHOT"}
        try:
            if req == 5:
                iso = r.u8()
                r.b_varchar()
                if iso:
                    if iso_names.get(iso) not in ("READ COMMITTED", "SNAPSHOT"):
                        raise errors.unsupported("isolation level %s" % iso_names.get(iso, iso))
                    s.isolation = iso_names[iso]
                s.begin_tran(events)
            elif req in (7, 8):
                r.b_varchar()
                flags = r.u8() if not r.at_end() else 0
                if req == 7:
                    if s.trancount == 0:
                        raise errors.SqlError(3902, "The COMMIT TRANSACTION request has no corresponding BEGIN TRANSACTION.", 16, 1)
                    s.trancount = 1
                    s.commit_tran(events)
                else:
                    if s.trancount > 0:
                        s.rollback_tran(events)
                if flags & 0x01:
                    iso = r.u8() if not r.at_end() else 0
                    if not r.at_end():
                        r.b_varchar()
                    if iso and iso_names.get(iso) in ("READ COMMITTED", "SNAPSHOT"):
                        s.isolation = iso_names[iso]
                    s.begin_tran(events)
            else:
                raise errors.unsupported("transaction manager request %d" % req)
        except errors.SqlError as e:
            events.append(("error", e))
            events.append(("done", None, True))
        self.emit(events, w, TOKEN_DONE)
        self.finish(w, TOKEN_DONE, events)

    # ------------------------------------------------------------ output
    def emit(self, events, w, done_token):
        """Turn session events into tokens; every DONE but the request's last carries DONE_MORE."""
        self._pending = getattr(self, "_pending", None)
        for ev in events:
            kind = ev[0]
            token = done_token
            if kind == "inproc":
                ev = ev[1:]
                kind = ev[0]
                token = TOKEN_DONEINPROC
            if kind == "rows":
                _, cols, rows = ev
                self.colmetadata(w, cols)
                for row in rows:
                    self.row(w, cols, row)
            elif kind == "done":
                _, count, err = ev
                status = tds.DONE_MORE
                if count is not None:
                    status |= tds.DONE_COUNT
                if err:
                    status |= tds.DONE_ERROR
                if self.session and self.session.trancount > 0:
                    status |= tds.DONE_INXACT
                w.done(token, status, 0xC1 if count is not None else 0, count or 0)
            elif kind == "error":
                w.error(ev[1])
            elif kind == "info":
                w.info(ev[1], ev[2], 2 if ev[1] == 5701 else 1, 0)
            elif kind == "env":
                w.envchange(ev[1], ev[2], ev[3])

    def finish(self, w, token, events):
        """Clear DONE_MORE on the request's last DONE, or add a final DONE."""
        last = w.last_done
        if last is None:
            w.done(token, tds.DONE_FINAL)
            return
        buf = w.buf
        status = struct.unpack("<H", buf[last + 1:last + 3])[0] & ~tds.DONE_MORE
        buf[last + 1:last + 3] = struct.pack("<H", status)

    def colmetadata(self, w, cols):
        out = bytearray([TOKEN_COLMETADATA]) + struct.pack("<H", len(cols))
        for name, t, nullable in cols:
            flags = 0x0001 if nullable else 0x0000
            flags |= 0x0008  # updateable: unknown
            out += struct.pack("<IH", 0, flags) + type_info(t) + tds.b_varchar(name or "")
        w.raw(out)

    def row(self, w, cols, row):
        nulls = sum(1 for v in row if v is None)
        if nulls and len(cols) > 2:
            # NBCROW (MS-TDS 2.2.7.17): a null bitmap, then only the non-NULL values
            bitmap = bytearray((len(cols) + 7) // 8)
            body = bytearray()
            for i, ((_, t, _n), v) in enumerate(zip(cols, row)):
                if v is None:
                    bitmap[i // 8] |= 1 << (i % 8)
                else:
                    body += encode_value(convert(v, t), t)
            w.raw(bytes([TOKEN_NBCROW]) + bytes(bitmap) + bytes(body))
            return
        out = bytearray([TOKEN_ROW])
        for (_, t, _n), v in zip(cols, row):
            v = convert(v, t)
            out += encode_value(v, t)
        w.raw(out)

"""A recursive-descent parser for the T-SQL subset this server implements.

Anything outside the subset is a syntax error (102/156, as SQL Server reports
them) or an explicit "not supported by this test server" error.
"""
import decimal

from . import errors
from .lexer import RESERVED, tokenize
from .datatypes import MAX, SqlType, check_collation, to_code_page


class Node:
    def __init__(self, kind, **kw):
        self.kind = kind
        self.line = kw.pop("line", 1)
        self.__dict__.update(kw)

    def __repr__(self):
        return "Node(%s, %s)" % (self.kind, {k: v for k, v in self.__dict__.items() if k not in ("kind", "line")})


TYPE_NAMES = {"int", "bigint", "smallint", "tinyint", "bit", "nvarchar", "varchar", "nchar", "char",
              "datetime2", "datetime", "date", "datetimeoffset", "uniqueidentifier", "varbinary", "binary",
              "decimal", "numeric", "float"}


def parse(sql):
    return Parser(tokenize(sql)).batch()


class Parser:
    def __init__(self, toks):
        self.toks = toks
        self.i = 0

    # ------------------------------------------------------------ helpers
    @property
    def t(self):
        return self.toks[self.i]

    def peek(self, k=1):
        return self.toks[min(self.i + k, len(self.toks) - 1)]

    def next(self):
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def error(self, tok=None):
        tok = tok or self.t
        if tok.kind == "eof":
            prev = self.toks[self.i - 1] if self.i else tok
            e = errors.syntax_near(prev.text)
        elif tok.kind == "word" and tok.value.upper() in RESERVED:
            e = errors.syntax_keyword(tok.value)
        else:
            e = errors.syntax_near(tok.text)
        e.line = tok.line
        return e

    def accept(self, *words):
        if self.t.kind == "word" and self.t.value.upper() in words:
            return self.next().value.upper()
        return None

    def expect(self, *words):
        w = self.accept(*words)
        if w is None:
            raise self.error()
        return w

    def accept_op(self, op):
        if self.t.kind == "op" and self.t.value == op:
            self.next()
            return True
        return False

    def expect_op(self, op):
        if not self.accept_op(op):
            raise self.error()

    def ident(self):
        tok = self.t
        if tok.kind == "qident":
            self.next()
            return tok.value
        if tok.kind == "word":
            if tok.value.upper() in RESERVED:
                raise self.error()
            self.next()
            return tok.value
        raise self.error()

    def qualified(self):
        """A multi-part name: returns list of parts."""
        parts = [self.ident()]
        while self.t.kind == "op" and self.t.value == ".":
            self.next()
            parts.append(self.ident())
        if len(parts) > 3:
            raise errors.unsupported("four-part (linked server) names")
        return parts

    def integer(self):
        tok = self.next()
        if tok.kind != "num" or not tok.value.isdigit():
            raise self.error(tok)
        return int(tok.value)

    # ------------------------------------------------------------ statements
    def batch(self):
        stmts = []
        while True:
            while self.accept_op(";"):
                pass
            if self.t.kind == "eof":
                return stmts
            stmts.append(self.statement())

    def statement(self):
        tok = self.t
        line = tok.line
        if tok.kind != "word":
            raise self.error()
        w = tok.value.upper()
        handler = {
            "SELECT": self.select_stmt, "INSERT": self.insert, "UPDATE": self.update, "DELETE": self.delete,
            "CREATE": self.create, "DROP": self.drop, "ALTER": self.alter, "USE": self.use,
            "BEGIN": self.begin, "COMMIT": self.commit, "ROLLBACK": self.rollback, "SET": self.set_stmt,
            "EXEC": self.exec_stmt, "EXECUTE": self.exec_stmt, "TRUNCATE": self.truncate, "WITH": self.with_ctx,
            "DECLARE": self.declare, "SAVE": self.save, "IF": self.if_stmt, "WHILE": None, "MERGE": None, "PRINT": self.print_stmt,
            "WAITFOR": self.waitfor, "GRANT": self.grant, "REVOKE": self.grant, "DENY": None,
        }.get(w, False)
        if handler is False:
            raise self.error()
        if handler is None:
            raise errors.unsupported("%s statements" % w)
        node = handler()
        node.line = line
        return node

    def use(self):
        self.expect("USE")
        return Node("use", name=self.ident())

    def grant(self):
        """GRANT|REVOKE permission [, …] ON [OBJECT::]table TO|FROM user."""
        revoke = self.next().value.upper() == "REVOKE"
        perms = []
        while True:
            if self.accept("VIEW"):
                self.expect("CHANGE")
                self.expect("TRACKING")
                perms.append("VIEW CHANGE TRACKING")
            else:
                w = self.accept("SELECT", "INSERT", "UPDATE", "DELETE")
                if w is None:
                    raise errors.unsupported("GRANT of %s" % self.t.text)
                perms.append(w)
            if not self.accept_op(","):
                break
        if not self.accept("ON"):
            raise errors.unsupported("database-wide GRANT")
        if self.accept("OBJECT"):
            self.expect_op("::")
        elif self.t.is_word("SCHEMA", "DATABASE") and self.peek().kind == "op" and self.peek().value == "::":
            raise errors.unsupported("GRANT on a schema or database")
        table = self.qualified()
        if revoke:
            self.expect("FROM", "TO")
        else:
            self.expect("TO")
        user = self.ident()
        if self.t.is_word("WITH", "CASCADE", "AS"):
            raise errors.unsupported("GRANT options")
        return Node("grant", permissions=perms, table=table, user=user, revoke=revoke)

    def waitfor(self):
        self.expect("WAITFOR")
        if not self.accept("DELAY"):
            raise errors.unsupported("WAITFOR other than WAITFOR DELAY")
        return Node("waitfor", delay=self.expr())

    def print_stmt(self):
        self.expect("PRINT")
        return Node("print", expr=self.expr())

    def declare(self):
        self.expect("DECLARE")
        decls = []
        while True:
            tok = self.next()
            if tok.kind != "var":
                raise self.error(tok)
            self.accept("AS")
            t = self.data_type()
            init = self.expr() if self.accept_op("=") else None
            decls.append((tok.value.lower(), t, init))
            if not self.accept_op(","):
                return Node("declare", decls=decls)

    def create(self):
        self.expect("CREATE")
        if self.accept("DATABASE"):
            return Node("create_database", name=self.ident())
        if self.accept("TABLE"):
            return self.create_table()
        unique = bool(self.accept("UNIQUE"))
        self.accept("NONCLUSTERED", "CLUSTERED")
        if self.accept("INDEX"):
            name = self.ident()
            self.expect("ON")
            table = self.qualified()
            cols = self.column_list(allow_order=True)
            return Node("create_index", name=name, table=table, columns=cols, unique=unique)
        if self.accept("LOGIN"):
            name = self.ident()
            self.expect("WITH")
            self.expect("PASSWORD")
            self.expect_op("=")
            tok = self.next()
            if tok.kind not in ("str", "nstr"):
                raise self.error(tok)
            if self.accept_op(","):
                raise errors.unsupported("CREATE LOGIN options other than PASSWORD")
            return Node("create_login", name=name, password=tok.value)
        if self.accept("USER"):
            name = self.ident()
            login = name
            if self.accept("FOR", "FROM"):
                self.expect("LOGIN")
                login = self.ident()
            elif self.t.is_word("WITHOUT", "WITH"):
                raise errors.unsupported("CREATE USER options other than FOR LOGIN")
            return Node("create_user", name=name, login=login)
        if self.t.is_word("VIEW", "PROCEDURE", "PROC", "FUNCTION", "TRIGGER", "SCHEMA", "TYPE"):
            raise errors.unsupported("CREATE %s" % self.t.value.upper())
        raise self.error()

    def column_list(self, allow_order=False):
        self.expect_op("(")
        cols = []
        while True:
            cols.append(self.ident())
            if allow_order:
                self.accept("ASC", "DESC")
            if not self.accept_op(","):
                break
        self.expect_op(")")
        return cols

    def data_type(self):
        tok = self.t
        parts = self.qualified() if tok.kind in ("word", "qident") else None
        if not parts:
            raise self.error()
        name = parts[-1].lower()
        if name not in TYPE_NAMES:
            raise errors.SqlError(2715, "Column, parameter, or variable #1: Cannot find data type %s." % parts[-1],
                                  16, 6, errors.COMPILE, tok.line)
        if name == "numeric":
            name = "decimal"
        if name in ("nvarchar", "varchar", "varbinary", "nchar", "char", "binary"):
            length = 1
            if self.accept_op("("):
                if self.accept("MAX"):
                    length = MAX
                    if name in ("nchar", "char", "binary"):
                        raise self.error()
                else:
                    length = self.integer()
                    limit = 4000 if name in ("nvarchar", "nchar") else 8000
                    if length < 1 or length > limit:
                        raise errors.SqlError(2717 if length > limit else 1001,
                                              "The size (%d) given to the type '%s' exceeds the maximum allowed for any data type (%d)."
                                              % (length, name, limit), 16, 1, errors.COMPILE, tok.line)
                self.expect_op(")")
            if name == "nchar":
                name = "nvarchar"   # fixed-width padding is not modelled
            if name == "char":
                name = "varchar"
            if name == "binary":
                name = "varbinary"
            return SqlType(name, length)
        if name in ("datetime2", "datetimeoffset"):
            scale = 7
            if self.accept_op("("):
                scale = self.integer()
                self.expect_op(")")
            return SqlType(name, scale=scale)
        if name == "datetime":
            return SqlType("datetime2", scale=3)
        if name == "decimal":
            p, s = 18, 0
            if self.accept_op("("):
                p = self.integer()
                if self.accept_op(","):
                    s = self.integer()
                self.expect_op(")")
            if not 1 <= p <= 38 or s > p:
                raise errors.SqlError(2750, "Column or parameter #1: Specified column precision %d is greater than the maximum precision of 38." % p,
                                      16, 1, errors.COMPILE)
            return SqlType("decimal", precision=p, scale=s)
        if name == "float":
            if self.accept_op("("):
                self.integer()
                self.expect_op(")")
        return SqlType(name)

    def create_table(self):
        name = self.qualified()
        self.expect_op("(")
        columns, constraints = [], []
        while True:
            if self.t.is_word("CONSTRAINT", "PRIMARY", "UNIQUE", "FOREIGN", "CHECK"):
                constraints.append(self.table_constraint())
            else:
                columns.append(self.column_def())
            if not self.accept_op(","):
                break
        self.expect_op(")")
        return Node("create_table", name=name, columns=columns, constraints=constraints)

    def column_def(self):
        name = self.ident()
        t = self.data_type()
        col = Node("column", name=name, type=t, nullable=None, default=None, identity=None, constraints=[])
        while True:
            cname = None
            if self.accept("CONSTRAINT"):
                cname = self.ident()
            if self.accept("NOT"):
                self.expect("NULL")
                col.nullable = False
            elif self.accept("NULL"):
                col.nullable = True
            elif self.accept("DEFAULT"):
                col.default = self.primary()
            elif self.accept("IDENTITY"):
                seed, inc = 1, 1
                if self.accept_op("("):
                    seed = self.signed_int()
                    self.expect_op(",")
                    inc = self.signed_int()
                    self.expect_op(")")
                col.identity = (seed, inc)
            elif self.accept("PRIMARY"):
                self.expect("KEY")
                self.accept("CLUSTERED", "NONCLUSTERED")
                col.constraints.append(Node("pk", name=cname, columns=[name]))
            elif self.accept("UNIQUE"):
                self.accept("CLUSTERED", "NONCLUSTERED")
                col.constraints.append(Node("unique", name=cname, columns=[name]))
            elif self.accept("REFERENCES"):
                ref = self.qualified()
                refcols = self.column_list() if self.t.kind == "op" and self.t.value == "(" else None
                col.constraints.append(Node("fk", name=cname, columns=[name], ref=ref, refcols=refcols,
                                            cascade=self.on_delete()))
            elif self.accept("COLLATE"):
                collation = self.ident()
                if not col.type.is_string():
                    raise errors.SqlError(447, "Expression type %s is invalid for COLLATE clause." % col.type.name,
                                          16, 1, errors.COMPILE, self.t.line)
                col.type.collation = check_collation(collation)
            elif self.t.is_word("CHECK"):
                raise errors.unsupported("%s in column definitions" % self.t.value.upper())
            elif cname:
                raise self.error()
            else:
                return col

    def signed_int(self):
        neg = self.accept_op("-")
        n = self.integer()
        return -n if neg else n

    def on_delete(self):
        cascade = False
        while self.accept("ON"):
            which = self.expect("DELETE", "UPDATE")
            if self.accept("CASCADE"):
                if which == "UPDATE":
                    raise errors.unsupported("ON UPDATE CASCADE")
                cascade = True
            elif self.accept("NO"):
                self.expect("ACTION")
            else:
                raise errors.unsupported("ON %s other than CASCADE/NO ACTION" % which)
        return cascade

    def table_constraint(self):
        cname = None
        if self.accept("CONSTRAINT"):
            cname = self.ident()
        if self.accept("PRIMARY"):
            self.expect("KEY")
            self.accept("CLUSTERED", "NONCLUSTERED")
            return Node("pk", name=cname, columns=self.column_list(allow_order=True))
        if self.accept("UNIQUE"):
            self.accept("CLUSTERED", "NONCLUSTERED")
            return Node("unique", name=cname, columns=self.column_list(allow_order=True))
        if self.accept("FOREIGN"):
            self.expect("KEY")
            cols = self.column_list()
            self.expect("REFERENCES")
            ref = self.qualified()
            refcols = self.column_list() if self.t.kind == "op" and self.t.value == "(" else None
            return Node("fk", name=cname, columns=cols, ref=ref, refcols=refcols, cascade=self.on_delete())
        if self.t.is_word("CHECK"):
            raise errors.unsupported("CHECK constraints")
        raise self.error()

    def drop(self):
        self.expect("DROP")
        if self.accept("DATABASE"):
            if_exists = self._if_exists()
            return Node("drop_database", name=self.ident(), if_exists=if_exists)
        if self.accept("TABLE"):
            if_exists = self._if_exists()
            return Node("drop_table", name=self.qualified(), if_exists=if_exists)
        if self.accept("INDEX"):
            name = self.ident()
            self.expect("ON")
            return Node("drop_index", name=name, table=self.qualified())
        raise self.error()

    def _if_exists(self):
        if self.t.is_word("IF") and self.peek().is_word("EXISTS"):
            self.next()
            self.next()
            return True
        return False

    def alter(self):
        self.expect("ALTER")
        if self.accept("DATABASE"):
            name = self.ident() if not self.t.is_word("CURRENT") else (self.next() and None)
            self.expect("SET")
            if self.accept("CHANGE_TRACKING"):
                # "= ON [(options)]", "= OFF", or "(options)" to change an enabled database
                if self.t.kind == "op" and self.t.value == "(":
                    on = None
                else:
                    self.expect_op("=")
                    on = self.expect("ON", "OFF") == "ON"
                opts = {}
                if self.accept_op("("):
                    while True:
                        opt = self.expect("CHANGE_RETENTION", "AUTO_CLEANUP", "TRACK_COLUMNS_UPDATED")
                        self.expect_op("=")
                        if opt == "CHANGE_RETENTION":
                            opts["retention"] = self.integer()
                            opts["units"] = self.expect("MINUTES", "HOURS", "DAYS", "MINUTE", "HOUR", "DAY")
                        else:
                            opts[opt.lower()] = self.expect("ON", "OFF") == "ON"
                        if not self.accept_op(","):
                            break
                    self.expect_op(")")
                return Node("alter_db_ct", name=name, on=on, opts=opts)
            if self.accept("ALLOW_SNAPSHOT_ISOLATION"):
                return Node("alter_db_snapshot", name=name, on=self.expect("ON", "OFF") == "ON")
            if self.accept("READ_COMMITTED_SNAPSHOT"):
                return Node("alter_db_rcsi", name=name, on=self.expect("ON", "OFF") == "ON")
            if self.t.is_word("RECOVERY", "SINGLE_USER", "MULTI_USER", "COMPATIBILITY_LEVEL"):
                raise errors.unsupported("ALTER DATABASE SET %s" % self.t.value.upper())
            raise self.error()
        if self.accept("TABLE"):
            table = self.qualified()
            if self.accept("ENABLE"):
                self.expect("CHANGE_TRACKING")
                track = False
                if self.accept("WITH"):
                    self.expect_op("(")
                    self.expect("TRACK_COLUMNS_UPDATED")
                    self.expect_op("=")
                    track = self.expect("ON", "OFF") == "ON"
                    self.expect_op(")")
                return Node("alter_table_ct", table=table, on=True, track_columns=track)
            if self.accept("DISABLE"):
                self.expect("CHANGE_TRACKING")
                return Node("alter_table_ct", table=table, on=False, track_columns=False)
            if self.accept("ADD"):
                cols, cons = [], []
                while True:
                    if self.t.is_word("CONSTRAINT", "PRIMARY", "UNIQUE", "FOREIGN", "CHECK"):
                        cons.append(self.table_constraint())
                    else:
                        cols.append(self.column_def())
                    if not self.accept_op(","):
                        break
                if cons:
                    raise errors.unsupported("ALTER TABLE ADD CONSTRAINT")
                return Node("alter_table_add", table=table, columns=cols)
            if self.t.is_word("DROP", "ALTER"):
                raise errors.unsupported("ALTER TABLE %s" % self.t.value.upper())
            raise self.error()
        raise self.error()

    def if_stmt(self):
        self.expect("IF")
        cond = self.expr()
        then = self.block_or_statement()
        other = None
        if self.accept("ELSE"):
            other = self.block_or_statement()
        return Node("if", cond=cond, then=then, other=other)

    def block_or_statement(self):
        """BEGIN ... END (a statement block) or a single statement."""
        while self.accept_op(";"):
            pass
        if self.t.is_word("BEGIN") and not self.peek().is_word("TRAN", "TRANSACTION", "DISTRIBUTED", "TRY"):
            self.next()
            stmts = []
            while True:
                while self.accept_op(";"):
                    pass
                if self.accept("END"):
                    return stmts
                if self.t.kind == "eof":
                    raise self.error()
                stmts.append(self.statement())
        return [self.statement()]

    def begin(self):
        self.expect("BEGIN")
        if self.accept("TRAN", "TRANSACTION"):
            if self.t.kind in ("word", "qident") and not self.t.value.upper() in RESERVED:
                self.next()   # transaction name, ignored
            return Node("begin_tran")
        if self.t.is_word("DISTRIBUTED", "TRY"):
            raise errors.unsupported("BEGIN %s" % self.t.value.upper())
        raise errors.unsupported("BEGIN ... END blocks outside IF")

    def commit(self):
        self.expect("COMMIT")
        self.accept("TRAN", "TRANSACTION", "WORK")
        if self.t.kind in ("word", "qident") and self.t.value.upper() not in RESERVED:
            self.next()
        return Node("commit")

    def rollback(self):
        self.expect("ROLLBACK")
        if self.accept("TRAN", "TRANSACTION") and self.t.kind in ("word", "qident") \
                and self.t.value.upper() not in RESERVED:
            # ROLLBACK TRAN savepoint_name: back to the savepoint, the transaction goes on
            return Node("rollback_to", name=self.next().value.casefold())
        self.accept("WORK")
        return Node("rollback")

    def save(self):
        """SAVE { TRAN | TRANSACTION } savepoint_name (a variable name is not modelled)."""
        self.expect("SAVE")
        self.expect("TRAN", "TRANSACTION")
        if self.t.kind not in ("word", "qident") or self.t.value.upper() in RESERVED:
            raise self.error()
        return Node("save_tran", name=self.next().value.casefold())

    def set_stmt(self):
        self.expect("SET")
        if self.t.kind == "var":
            name = self.next().value.lower()
            self.expect_op("=")
            return Node("set_var", name=name, expr=self.expr())
        if self.accept("TRANSACTION"):
            self.expect("ISOLATION")
            self.expect("LEVEL")
            if self.accept("SNAPSHOT"):
                level = "SNAPSHOT"
            elif self.accept("READ"):
                level = "READ " + self.expect("COMMITTED", "UNCOMMITTED")
            elif self.accept("REPEATABLE"):
                self.expect("READ")
                level = "REPEATABLE READ"
            elif self.accept("SERIALIZABLE"):
                level = "SERIALIZABLE"
            else:
                raise self.error()
            return Node("set_isolation", level=level)
        tok = self.t
        if tok.kind != "word":
            raise self.error()
        names = [self.next().value.upper()]
        while self.accept_op(","):
            names.append(self.next().value.upper())
        if self.t.kind == "word" and self.t.value.upper() in ("ON", "OFF"):
            return Node("set_option", names=names, on=self.next().value.upper() == "ON")
        # SET LOCK_TIMEOUT n, SET DATEFORMAT x, SET TEXTSIZE n, ...: value options
        neg = self.accept_op("-")
        val = self.next()
        if val.kind not in ("num", "word", "str", "nstr", "qident") or (neg and val.kind != "num"):
            raise self.error(val)
        return Node("set_option", names=names, on=None, value=("-" + val.value) if neg else val.value)

    def exec_stmt(self):
        self.next()
        if self.t.kind == "var":
            raise errors.unsupported("EXEC @return = ...")
        if self.accept_op("("):
            raise errors.unsupported("EXEC (dynamic SQL)")
        name = self.qualified()
        args = []
        if self.t.kind != "eof" and not (self.t.kind == "op" and self.t.value == ";") and not self._starts_statement():
            while True:
                pname = None
                if self.t.kind == "var" and self.peek().kind == "op" and self.peek().value == "=":
                    pname = self.next().value.lower()
                    self.next()
                args.append((pname, self.expr()))
                if self.accept("OUTPUT", "OUT"):
                    raise errors.unsupported("OUTPUT parameters in EXEC")
                if not self.accept_op(","):
                    break
        return Node("exec", name=name, args=args)

    def _starts_statement(self):
        return self.t.kind == "word" and self.t.value.upper() in (
            "SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "ALTER", "USE", "BEGIN", "COMMIT",
            "ROLLBACK", "SET", "EXEC", "EXECUTE", "TRUNCATE", "WITH", "DECLARE", "PRINT", "SAVE", "WAITFOR", "GRANT", "REVOKE")

    def truncate(self):
        self.expect("TRUNCATE")
        self.expect("TABLE")
        return Node("truncate", table=self.qualified())

    def with_ctx(self):
        self.expect("WITH")
        if not self.accept("CHANGE_TRACKING_CONTEXT"):
            raise errors.unsupported("common table expressions (WITH ... AS)")
        self.expect_op("(")
        ctx = self.expr()
        self.expect_op(")")
        if not self.t.is_word("INSERT", "UPDATE", "DELETE", "MERGE"):
            raise self.error()
        stmt = self.statement()
        stmt.ct_context = ctx
        return stmt

    # ------------------------------------------------------------ DML
    def insert(self):
        self.expect("INSERT")
        self.accept("INTO")
        table = self.qualified()
        cols = None
        if self.t.kind == "op" and self.t.value == "(":
            cols = self.column_list()
        if self.t.is_word("OUTPUT"):
            raise errors.unsupported("the OUTPUT clause")
        if self.accept("VALUES"):
            rows = []
            while True:
                self.expect_op("(")
                row = [self.expr_or_default()]
                while self.accept_op(","):
                    row.append(self.expr_or_default())
                self.expect_op(")")
                rows.append(row)
                if not self.accept_op(","):
                    break
            if len(rows) > 1000:
                raise errors.SqlError(10738, "The number of row value expressions in the INSERT statement exceeds the maximum allowed number of 1000 row values.",
                                      15, 1, errors.COMPILE)
            return Node("insert", table=table, columns=cols, rows=rows, select=None, ct_context=None)
        if self.t.is_word("SELECT"):
            return Node("insert", table=table, columns=cols, rows=None, select=self.select_stmt(), ct_context=None)
        if self.accept("DEFAULT"):
            self.expect("VALUES")
            return Node("insert", table=table, columns=[], rows=[[]], select=None, ct_context=None)
        raise self.error()

    def expr_or_default(self):
        if self.accept("DEFAULT"):
            return Node("default")
        return self.expr()

    def update(self):
        self.expect("UPDATE")
        if self.t.is_word("TOP"):
            raise errors.unsupported("UPDATE TOP")
        table = self.qualified()
        self.table_hints()
        self.expect("SET")
        sets = []
        while True:
            col = self.qualified()[-1]
            self.expect_op("=")
            sets.append((col, self.expr_or_default()))
            if not self.accept_op(","):
                break
        if self.t.is_word("OUTPUT", "FROM"):
            raise errors.unsupported("UPDATE ... %s" % self.t.value.upper())
        where = self.expr() if self.accept("WHERE") else None
        return Node("update", table=table, sets=sets, where=where, ct_context=None)

    def delete(self):
        self.expect("DELETE")
        if self.t.is_word("TOP"):
            raise errors.unsupported("DELETE TOP")
        self.accept("FROM")
        table = self.qualified()
        if self.t.is_word("OUTPUT", "FROM"):
            raise errors.unsupported("DELETE ... %s" % self.t.value.upper())
        where = self.expr() if self.accept("WHERE") else None
        return Node("delete", table=table, where=where, ct_context=None)

    # ------------------------------------------------------------ SELECT
    def select_stmt(self):
        self.expect("SELECT")
        distinct = bool(self.accept("DISTINCT"))
        self.accept("ALL")
        top = None
        if self.accept("TOP"):
            if self.accept_op("("):
                top = self.expr()
                self.expect_op(")")
            else:
                tok = self.next()
                if tok.kind != "num":
                    raise self.error(tok)
                top = Node("lit", value=int(tok.value))
            if self.t.is_word("PERCENT", "WITH"):
                raise errors.unsupported("TOP ... %s" % self.t.value.upper())
        items = []
        while True:
            items.append(self.select_item())
            if not self.accept_op(","):
                break
        if self.t.is_word("INTO"):
            raise errors.unsupported("SELECT INTO")
        sources = []
        if self.accept("FROM"):
            sources.append(("first", self.table_source(), None))
            while True:
                if self.accept_op(","):
                    sources.append(("cross", self.table_source(), None))
                    continue
                kind = None
                if self.accept("INNER"):
                    kind = "inner"
                elif self.accept("LEFT"):
                    self.accept("OUTER")
                    kind = "left"
                elif self.t.is_word("JOIN"):
                    kind = "inner"
                elif self.t.is_word("RIGHT", "FULL", "CROSS", "OUTER"):
                    raise errors.unsupported("%s JOIN" % self.t.value.upper())
                if kind is None:
                    break
                self.expect("JOIN")
                src = self.table_source()
                self.expect("ON")
                sources.append((kind, src, self.expr()))
        where = self.expr() if self.accept("WHERE") else None
        group = []
        if self.accept("GROUP"):
            self.expect("BY")
            group.append(self.expr())
            while self.accept_op(","):
                group.append(self.expr())
        having = self.expr() if self.accept("HAVING") else None
        if self.t.is_word("UNION", "EXCEPT", "INTERSECT", "FOR"):
            raise errors.unsupported(self.t.value.upper())
        order = []
        offset = fetch = None
        if self.accept("ORDER"):
            self.expect("BY")
            while True:
                e = self.expr()
                desc = self.accept("ASC", "DESC") == "DESC"
                order.append((e, desc))
                if not self.accept_op(","):
                    break
            if self.accept("OFFSET"):
                offset = self.expr()
                self.expect("ROW", "ROWS")
                if self.accept("FETCH"):
                    self.expect("NEXT", "FIRST")
                    fetch = self.expr()
                    self.expect("ROW", "ROWS")
                    self.expect("ONLY")
        if self.t.is_word("OPTION"):
            raise errors.unsupported("query hints (OPTION)")
        if top is not None and offset is not None:
            raise errors.SqlError(10741, "A TOP can not be used in the same query or sub-query as a OFFSET.", 15, 1, errors.COMPILE)
        # A SELECT whose FROM takes update locks (SELECT ... FROM t WITH (UPDLOCK) WHERE ...)
        # keeps other writers of those rows waiting until COMMIT: this server takes its
        # database-wide write lock for it, as for a write.
        locks = any(getattr(src, "locks", False) for _, src, _ in sources)
        return Node("select", distinct=distinct, top=top, items=items, sources=sources, where=where,
                    order=order, offset=offset, fetch=fetch, group=group, having=having, locks=locks)

    def select_item(self):
        if self.accept_op("*"):
            return Node("star", qualifier=None)
        if self.t.kind in ("word", "qident") and self.peek().kind == "op" and self.peek().value == "." \
                and self.peek(2).kind == "op" and self.peek(2).value == "*":
            q = self.ident()
            self.next()
            self.next()
            return Node("star", qualifier=q.lower())
        if self.t.kind == "var" and self.peek().kind == "op" and self.peek().value == "=":
            name = self.next().value.lower()
            self.next()
            return Node("assign", name=name, expr=self.expr())
        e = self.expr()
        alias = None
        if self.accept("AS"):
            alias = self.alias_name()
        elif self.t.kind in ("qident", "str") or (self.t.kind == "word" and self.t.value.upper() not in RESERVED
                                                 and not self.t.is_word("OFFSET")):
            alias = self.alias_name()
        return Node("item", expr=e, alias=alias)

    def alias_name(self):
        if self.t.kind == "str":
            return self.next().value
        return self.ident()

    def table_source(self):
        if self.accept("CHANGETABLE"):
            self.expect_op("(")
            if self.accept("VERSION"):
                raise errors.unsupported("CHANGETABLE(VERSION ...)")
            self.expect("CHANGES")
            table = self.qualified()
            self.expect_op(",")
            tok = self.t
            version = self.primary()
            if version.kind not in ("lit", "param", "neg_lit"):
                # docs (CHANGETABLE): "An expression will cause a syntax error."
                raise self.error(tok)
            self.expect_op(")")
            self.accept("AS")
            alias = self.ident()
            return Node("changetable", table=table, version=version, alias=alias.lower())
        if self.t.kind == "op" and self.t.value == "(":
            raise errors.unsupported("derived tables (subqueries in FROM)")
        name = self.qualified()
        alias = None
        if self.accept("AS"):
            alias = self.ident()
        elif self.t.kind == "qident" or (self.t.kind == "word" and self.t.value.upper() not in RESERVED
                                         and not self.t.is_word("OFFSET")):
            alias = self.ident()
        locks = self.table_hints()
        return Node("table", name=name, alias=(alias or name[-1]).lower(), locks=locks)

    def table_hints(self):
        """WITH (hint, ...) after a table: in FROM, and after the target of UPDATE
        ("UPDATE table WITH ( <Table_Hint_Limited> [ ...n ] )", UPDATE docs). True when
        one of them takes update or exclusive locks that last to the transaction's end
        (UPDLOCK, XLOCK; "Table Hints (Transact-SQL)")."""
        locks = False
        if self.t.is_word("WITH") and self.peek().kind == "op" and self.peek().value == "(":
            self.next()
            self.expect_op("(")
            while not self.accept_op(")"):
                tok = self.next()
                if tok.kind == "eof":
                    raise self.error(tok)
                if tok.kind == "word" and tok.value.upper() in ("NOLOCK", "READUNCOMMITTED", "READPAST", "NOWAIT",
                                                                "SNAPSHOT", "FORCESEEK", "INDEX"):
                    # dirty reads, skipping or failing on locked rows cannot be modelled
                    raise errors.unsupported("table hint %s" % tok.value.upper())
                if tok.kind == "word" and tok.value.upper() in ("UPDLOCK", "XLOCK"):
                    locks = True
                # ROWLOCK, HOLDLOCK, SERIALIZABLE, TABLOCK...: this server's locks are
                # already at least as strong (see README), so these change nothing
        return locks

    # ------------------------------------------------------------ expressions
    def expr(self):
        return self.or_expr()

    def or_expr(self):
        e = self.and_expr()
        while self.accept("OR"):
            e = Node("or", left=e, right=self.and_expr())
        return e

    def and_expr(self):
        e = self.not_expr()
        while self.accept("AND"):
            e = Node("and", left=e, right=self.not_expr())
        return e

    def not_expr(self):
        if self.accept("NOT"):
            return Node("not", expr=self.not_expr())
        return self.predicate()

    def predicate(self):
        if self.accept("EXISTS"):
            self.expect_op("(")
            sub = self.select_stmt()
            self.expect_op(")")
            return Node("exists", select=sub)
        e = self.additive()
        while True:
            if self.t.kind == "op" and self.t.value in ("=", "<>", "!=", "<", ">", "<=", ">=", "!<", "!>"):
                op = self.next().value
                op = {"!=": "<>", "!<": ">=", "!>": "<="}.get(op, op)
                e = Node("cmp", op=op, left=e, right=self.additive())
                continue
            if self.accept("IS"):
                neg = bool(self.accept("NOT"))
                self.expect("NULL")
                e = Node("isnull", expr=e, neg=neg)
                continue
            neg = False
            save = self.i
            if self.accept("NOT"):
                neg = True
            if self.accept("LIKE"):
                pat = self.additive()
                esc = self.additive() if self.accept("ESCAPE") else None
                e = Node("like", expr=e, pattern=pat, neg=neg, escape=esc)
                continue
            if self.accept("IN"):
                self.expect_op("(")
                if self.t.is_word("SELECT"):
                    raise errors.unsupported("IN (subquery)")
                items = [self.expr()]
                while self.accept_op(","):
                    items.append(self.expr())
                self.expect_op(")")
                e = Node("in", expr=e, items=items, neg=neg)
                continue
            if self.accept("BETWEEN"):
                lo = self.additive()
                self.expect("AND")
                hi = self.additive()
                e = Node("between", expr=e, lo=lo, hi=hi, neg=neg)
                continue
            self.i = save
            return e

    def additive(self):
        e = self.multiplicative()
        while self.t.kind == "op" and self.t.value in ("+", "-", "&", "|", "^"):
            op = self.next().value
            e = Node("arith", op=op, left=e, right=self.multiplicative())
        return e

    def multiplicative(self):
        e = self.unary()
        while self.t.kind == "op" and self.t.value in ("*", "/", "%"):
            op = self.next().value
            e = Node("arith", op=op, left=e, right=self.unary())
        return e

    def unary(self):
        if self.accept_op("-"):
            inner = self.unary()
            if inner.kind == "lit" and isinstance(inner.value, (int, decimal.Decimal, float)):
                return Node("lit", value=-inner.value, type=getattr(inner, "type", None))
            return Node("neg", expr=inner)
        if self.accept_op("+"):
            return self.unary()
        if self.accept_op("~"):
            return Node("bitnot", expr=self.unary())
        return self.primary()

    def primary(self):
        tok = self.t
        if tok.kind == "num":
            self.next()
            v = tok.value
            if "e" in v.lower():
                return Node("lit", value=float(v), type=SqlType("float"))
            if "." in v:
                d = decimal.Decimal(v)
                digits = v.replace(".", "").lstrip("0")
                scale = len(v.split(".")[1])
                return Node("lit", value=d, type=SqlType("decimal", precision=max(len(digits), scale, 1), scale=scale))
            n = int(v)
            if n < 2**31:
                return Node("lit", value=n, type=SqlType("int"))
            if len(v) <= 38:
                # SQL Server types integer literals beyond int as decimal/numeric.
                return Node("lit", value=n, type=SqlType("decimal", precision=max(len(v), 1), scale=0))
        if tok.kind == "str":
            self.next()
            # a literal without N is varchar in the database's code page
            return Node("lit", value=to_code_page(tok.value), type=SqlType("varchar", max(len(tok.value), 1)))
        if tok.kind == "nstr":
            self.next()
            return Node("lit", value=tok.value, type=SqlType("nvarchar", max(len(tok.value), 1)))
        if tok.kind == "hex":
            self.next()
            return Node("lit", value=tok.value, type=SqlType("varbinary", max(len(tok.value), 1)))
        if tok.kind == "var":
            self.next()
            return Node("param", name=tok.value.lower(), line=tok.line)
        if tok.kind == "gvar":
            self.next()
            return Node("global", name=tok.value.upper())
        if tok.kind == "op" and tok.value == "(":
            self.next()
            if self.t.is_word("SELECT"):
                sub = self.select_stmt()
                self.expect_op(")")
                return Node("subquery", select=sub)
            e = self.expr()
            self.expect_op(")")
            return e
        if tok.is_word("NULL"):
            self.next()
            return Node("lit", value=None, type=None)
        if tok.is_word("CASE"):
            return self.case()
        if tok.is_word("CAST", "CONVERT", "TRY_CAST", "TRY_CONVERT"):
            fn = self.next().value.upper()
            self.expect_op("(")
            if fn.endswith("CAST"):
                e = self.expr()
                self.expect("AS")
                t = self.data_type()
            else:
                t = self.data_type()
                self.expect_op(",")
                e = self.expr()
                if self.accept_op(","):
                    self.expr()   # style: only the ISO styles are produced
            self.expect_op(")")
            return Node("cast", expr=e, type=t, try_=fn.startswith("TRY"))
        if tok.is_word("CURRENT_TIMESTAMP"):
            self.next()
            return Node("func", name="GETDATE", args=[])
        if tok.kind in ("word", "qident"):
            if tok.kind == "word" and tok.value.upper() in RESERVED and not tok.is_word("LEFT", "RIGHT"):
                raise self.error()
            # function call or column reference
            if self.peek().kind == "op" and self.peek().value == "(" and tok.kind == "word":
                name = self.next().value.upper()
                self.next()
                args = []
                if name == "COUNT" and self.accept_op("*"):
                    self.expect_op(")")
                    return Node("agg", name="COUNT", arg=None, distinct=False)
                distinct = bool(self.accept("DISTINCT"))
                if not self.accept_op(")"):
                    args.append(self.expr())
                    while self.accept_op(","):
                        args.append(self.expr())
                    self.expect_op(")")
                if name in ("COUNT", "MAX", "MIN", "SUM", "AVG", "COUNT_BIG"):
                    if len(args) != 1:
                        raise self.error()
                    return Node("agg", name=name, arg=args[0], distinct=distinct)
                if self.t.is_word("OVER"):
                    raise errors.unsupported("window functions (OVER)")
                return Node("func", name=name, args=args, line=tok.line)
            parts = [self.ident()]
            while self.t.kind == "op" and self.t.value == "." and self.peek().kind in ("word", "qident"):
                self.next()
                if self.t.kind == "word" and self.peek().kind == "op" and self.peek().value == "(":
                    # schema-qualified function: sys.fn_x(...) / dbo.f(...)
                    name = self.next().value.upper()
                    raise errors.unsupported("function %s.%s" % (".".join(parts), name))
                parts.append(self.ident())
            return Node("col", parts=parts, line=tok.line)
        raise self.error()

    def case(self):
        self.expect("CASE")
        operand = None
        if not self.t.is_word("WHEN"):
            operand = self.expr()
        whens = []
        while self.accept("WHEN"):
            cond = self.expr()
            self.expect("THEN")
            whens.append((cond, self.expr()))
        if not whens:
            raise self.error()
        other = self.expr() if self.accept("ELSE") else None
        self.expect("END")
        return Node("case", operand=operand, whens=whens, other=other)

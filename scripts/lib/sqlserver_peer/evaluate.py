"""Expression evaluation: three-valued logic, implicit conversion by data type
precedence, case-insensitive string comparison, LIKE and scalar functions."""
import datetime
import decimal
import re
import uuid

from . import errors
from .catalog import bin_key, fold
from .datatypes import BinaryStr, SqlType, convert, type_for_value

TRUE, FALSE, UNKNOWN = True, False, None


class Scope:
    """Bindings visible to expressions: each binding is (alias, table_name, columns)
    with columns a list of (name, SqlType, nullable); a row is a tuple with one
    entry per binding (a list of values, or None for an unmatched LEFT JOIN side)."""

    def __init__(self, bindings=(), inner=None):
        self.bindings = list(bindings)
        # bindings[:inner] are the query's own, the rest an enclosing query's (a
        # correlated subquery); a name binds to the innermost scope that has it
        self.inner = len(self.bindings) if inner is None else inner

    def resolve(self, parts):
        name = parts[-1]
        qual = [p for p in parts[:-1]]
        found = self._find(name, qual, 0, self.inner)
        if not found and self.inner < len(self.bindings):
            found = self._find(name, qual, self.inner, len(self.bindings))
        if not found:
            if qual and not any(fold(qual[-1]) in (fold(a), fold(t)) for a, t, _c, _o in self.bindings):
                raise errors.SqlError(4104, 'The multi-part identifier "%s" could not be bound.' % ".".join(parts),
                                      16, 1, errors.SCOPE)
            raise errors.invalid_column(name)
        if len(found) > 1:
            raise errors.ambiguous_column(name)
        return found[0]

    def _find(self, name, qual, start, end):
        found = []
        for bi in range(start, end):
            alias, tname, cols, _outer = self.bindings[bi]
            if qual:
                q = fold(qual[-1])
                if q != fold(alias) and not (alias == fold(tname) and q == fold(tname)):
                    continue
            for ci, (cname, _t, _n) in enumerate(cols):
                if fold(cname) == fold(name):
                    found.append((bi, ci))
        return found


class Context:
    def __init__(self, session, scope, row=None):
        # every row a statement evaluates makes a Context: the place to notice an attention
        if session is not None:
            session.check_attention()
        self.session = session
        self.scope = scope
        self.row = row


def column_ref(node, scope):
    key = "_ref_%d" % id(scope)
    ref = node.__dict__.get(key)
    if ref is None:
        ref = scope.resolve(node.parts)
        node.__dict__[key] = ref
    return ref


def check_columns(node, scope, skip=None):
    """Resolve every column reference up front, so an unknown column is error
    207 even when no row is ever evaluated (SQL Server binds names at compile time)."""
    if node is None or not hasattr(node, "kind"):
        return
    if node.kind in ("subquery", "exists"):
        return
    if node.kind == "col":
        if skip and len(node.parts) == 1 and fold(node.parts[0]) in skip:
            return
        column_ref(node, scope)
        return
    for v in node.__dict__.values():
        if hasattr(v, "kind"):
            check_columns(v, scope, skip)
        elif isinstance(v, (list, tuple)):
            for x in v:
                if hasattr(x, "kind"):
                    check_columns(x, scope, skip)
                elif isinstance(x, tuple):
                    for y in x:
                        check_columns(y, scope, skip)


def coerce_pair(a, b):
    """Bring two non-NULL values to a common type (docs: data type precedence)."""
    if isinstance(a, str) and isinstance(b, str):
        return a, b
    if type(a) is type(b) or (isinstance(a, (int, decimal.Decimal, float)) and isinstance(b, (int, decimal.Decimal, float))):
        if isinstance(a, float) or isinstance(b, float):
            return float(a), float(b)
        if isinstance(a, decimal.Decimal) or isinstance(b, decimal.Decimal):
            return decimal.Decimal(a), decimal.Decimal(b)
        return a, b
    if isinstance(a, str) and not isinstance(b, str):
        b2, a2 = coerce_pair(b, a)
        return a2, b2
    # a is the non-string (or both non-string of different types)
    if isinstance(b, str):
        if isinstance(a, bool):
            a = int(a)
        if isinstance(a, int):
            return a, convert(b, SqlType("bigint") if abs(a) >= 2**31 else SqlType("int"))
        if isinstance(a, decimal.Decimal):
            return a, convert(b, SqlType("decimal", precision=38, scale=10))
        if isinstance(a, float):
            try:
                return a, float(b)
            except ValueError:
                raise errors.conversion(b, "nvarchar", "float")
        if isinstance(a, uuid.UUID):
            return a, convert(b, SqlType("uniqueidentifier"))
        if isinstance(a, datetime.datetime):
            return a.replace(tzinfo=None) if a.tzinfo is None else a, convert(b, SqlType("datetime2", scale=7))
        if isinstance(a, datetime.date):
            return a, convert(b, SqlType("date"))
        if isinstance(a, bytes):
            return a, b.encode("latin-1", "replace")
    if isinstance(a, datetime.datetime) and isinstance(b, datetime.date) and not isinstance(b, datetime.datetime):
        return a, datetime.datetime(b.year, b.month, b.day)
    if isinstance(b, datetime.datetime) and isinstance(a, datetime.date) and not isinstance(a, datetime.datetime):
        return datetime.datetime(a.year, a.month, a.day), b
    raise errors.SqlError(402, "The data types %s and %s are incompatible in the equal to operator."
                          % (type_for_value(a).name, type_for_value(b).name), 16, 1, errors.BATCH)


def compare(a, b):
    if a is None or b is None:
        return None
    a, b = coerce_pair(a, b)
    if isinstance(a, str):
        # A column's binary collation wins over a parameter's or literal's default one.
        key = bin_key if isinstance(a, BinaryStr) or isinstance(b, BinaryStr) else fold
        a, b = key(a), key(b)
    elif isinstance(a, uuid.UUID):
        # uniqueidentifier ordering compares byte groups from the last one (docs:
        # "Comparing GUID and uniqueidentifier values"); equality is what matters here.
        a, b = _guid_key(a), _guid_key(b)
    elif isinstance(a, bytes):
        a, b = a.rstrip(b"\x00"), b.rstrip(b"\x00")
    return (a > b) - (a < b)


def _guid_key(u):
    b = u.bytes
    return (b[10:16], b[8:10], b[6:8], b[4:6], b[0:4])


def sort_key(v):
    """Ordering key: NULLs first ascending, as SQL Server sorts them."""
    if v is None:
        return (0, 0)
    if isinstance(v, BinaryStr):
        return (1, bin_key(v))
    if isinstance(v, str):
        return (1, fold(v))
    if isinstance(v, uuid.UUID):
        return (1, _guid_key(v))
    if isinstance(v, datetime.datetime) and v.tzinfo is not None:
        return (1, v.astimezone(datetime.timezone.utc).replace(tzinfo=None))
    return (1, v)


def like(value, pattern, escape=None):
    if value is None or pattern is None:
        return None
    if not isinstance(value, str):
        value = convert(value, SqlType("nvarchar", -1))
    rx = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if escape and c == escape and i + 1 < len(pattern):
            rx.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        if c == "%":
            rx.append(".*")
        elif c == "_":
            rx.append(".")
        elif c == "[":
            j = pattern.find("]", i + 1)
            if j < 0:
                rx.append(re.escape(c))
            else:
                body = pattern[i + 1:j]
                neg = body.startswith("^")
                if neg:
                    body = body[1:]
                rx.append("[" + ("^" if neg else "") + body.replace("\\", "\\\\") + "]")
                i = j
        else:
            rx.append(re.escape(c))
        i += 1
    # LIKE ignores trailing spaces of the value only for char types; for
    # nvarchar trailing blanks in the value are significant, in the pattern too.
    return re.fullmatch("".join(rx), value, re.IGNORECASE | re.DOTALL) is not None


def truth(v):
    return v is True


def arith(op, a, b):
    if a is None or b is None:
        return None
    if op == "+" and isinstance(a, str) and isinstance(b, str):
        return a + b
    if op == "+" and isinstance(a, bytes) and isinstance(b, bytes):
        return a + b
    if isinstance(a, str) or isinstance(b, str):
        a, b = coerce_pair(a, b)
    if isinstance(a, datetime.datetime) or isinstance(b, datetime.datetime):
        raise errors.unsupported("date arithmetic with operators (use DATEADD)")
    if op == "+":
        r = a + b
    elif op == "-":
        r = a - b
    elif op == "*":
        r = a * b
    elif op in ("/", "%"):
        if b == 0:
            raise errors.SqlError(8134, "Divide by zero error encountered.", 16, 1, errors.BATCH)
        if isinstance(a, int) and isinstance(b, int):
            q = abs(a) // abs(b)
            q = q if (a >= 0) == (b >= 0) else -q
            r = q if op == "/" else a - q * b
        else:
            r = a / b if op == "/" else a % b
    elif op == "&":
        r = a & b
    elif op == "|":
        r = a | b
    elif op == "^":
        r = a ^ b
    else:
        raise errors.unsupported("operator %s" % op)
    if isinstance(r, int) and not -2**63 <= r < 2**63:
        raise errors.SqlError(8115, "Arithmetic overflow error converting expression to data type bigint.", 16, 1,
                              errors.BATCH)
    return r


def evaluate(node, ctx):
    k = node.kind
    if k == "lit":
        return node.value
    if k == "col":
        bi, ci = column_ref(node, ctx.scope)
        r = ctx.row[bi] if ctx.row is not None else None
        return None if r is None else r[ci]
    if k == "param":
        return ctx.session.get_var(node.name)[0]
    if k == "global":
        return ctx.session.global_var(node.name)
    if k == "and":
        a = evaluate(node.left, ctx)
        if a is False:
            return False
        b = evaluate(node.right, ctx)
        if b is False:
            return False
        return True if (a is True and b is True) else None
    if k == "or":
        a = evaluate(node.left, ctx)
        if a is True:
            return True
        b = evaluate(node.right, ctx)
        if b is True:
            return True
        return False if (a is False and b is False) else None
    if k == "not":
        v = evaluate(node.expr, ctx)
        return None if v is None else (not v)
    if k == "cmp":
        c = compare(evaluate(node.left, ctx), evaluate(node.right, ctx))
        if c is None:
            return None
        return {"=": c == 0, "<>": c != 0, "<": c < 0, ">": c > 0, "<=": c <= 0, ">=": c >= 0}[node.op]
    if k == "isnull":
        v = evaluate(node.expr, ctx) is None
        return (not v) if node.neg else v
    if k == "like":
        esc = evaluate(node.escape, ctx) if node.escape else None
        r = like(evaluate(node.expr, ctx), evaluate(node.pattern, ctx), esc)
        return None if r is None else (r != node.neg)
    if k == "in":
        v = evaluate(node.expr, ctx)
        if v is None:
            return None
        unknown = False
        for item in node.items:
            c = compare(v, evaluate(item, ctx))
            if c == 0:
                return not node.neg
            if c is None:
                unknown = True
        if unknown:
            return None
        return node.neg
    if k == "between":
        v = evaluate(node.expr, ctx)
        lo = compare(v, evaluate(node.lo, ctx))
        hi = compare(v, evaluate(node.hi, ctx))
        if lo is None or hi is None:
            return None
        return (lo >= 0 and hi <= 0) != node.neg
    if k == "arith":
        return arith(node.op, evaluate(node.left, ctx), evaluate(node.right, ctx))
    if k == "neg":
        v = evaluate(node.expr, ctx)
        return None if v is None else -v
    if k == "bitnot":
        v = evaluate(node.expr, ctx)
        return None if v is None else ~v
    if k == "cast":
        v = evaluate(node.expr, ctx)
        try:
            out = convert(v, node.type)
            return check_length(out, node.type, silent=True)
        except errors.SqlError:
            if node.try_:
                return None
            raise
    if k == "case":
        if node.operand is not None:
            base = evaluate(node.operand, ctx)
            for cond, res in node.whens:
                if compare(base, evaluate(cond, ctx)) == 0:
                    return evaluate(res, ctx)
        else:
            for cond, res in node.whens:
                if evaluate(cond, ctx) is True:
                    return evaluate(res, ctx)
        return evaluate(node.other, ctx) if node.other is not None else None
    if k == "func":
        from . import functions
        return functions.call(node, ctx)
    if k == "agg":
        key = "_agg_value"
        if key in node.__dict__ and ctx.row is not None and getattr(ctx, "agg_values", None) is not None:
            return ctx.agg_values[id(node)]
        if getattr(ctx, "agg_values", None) is not None:
            return ctx.agg_values[id(node)]
        raise errors.SqlError(147, "An aggregate may not appear in the WHERE clause unless it is in a subquery contained in a HAVING clause or a select list, and the column being aggregated is an outer reference.",
                              15, 1, errors.COMPILE)
    if k == "subquery":
        cols, rows = ctx.session.run_select(node.select, outer=ctx)
        if len(cols) != 1:
            raise errors.SqlError(116, "Only one expression can be specified in the select list when the subquery is not introduced with EXISTS.", 16, 1, errors.COMPILE)
        if len(rows) > 1:
            raise errors.SqlError(512, "Subquery returned more than 1 value. This is not permitted when the subquery follows =, !=, <, <= , >, >= or when the subquery is used as an expression.", 16, 1, errors.STATEMENT)
        return rows[0][0] if rows else None
    if k == "exists":
        # correlated when the enclosing query has a row: its columns are visible inside
        outer = ctx if ctx.row is not None and ctx.scope.bindings else None
        cols, rows = ctx.session.run_select(node.select, outer=outer)
        return len(rows) > 0
    if k == "default":
        raise errors.SqlError(156, "Incorrect syntax near the keyword 'DEFAULT'.", 15, 1, errors.COMPILE)
    raise errors.unsupported("expression %s" % k)


def text_units(s):
    return len(s.encode("utf-16-le", "surrogatepass")) // 2


def check_length(v, t, silent=False, where=None):
    """Length rules for (n)varchar(n)/varbinary(n); errors 2628 on INSERT/UPDATE,
    silent truncation in CAST (as SQL Server does)."""
    if v is None or t.length is None or t.length == -1:
        return v
    if t.name in ("nvarchar", "nchar"):
        units = text_units(v)
        if units <= t.length:
            return v
        raw = v.encode("utf-16-le", "surrogatepass")[:t.length * 2]
        cut = raw.decode("utf-16-le", "ignore")
    elif t.name in ("varchar", "char"):
        if len(v.encode("cp1252", "replace")) <= t.length:
            return v
        cut = v[:t.length]
    elif t.name in ("varbinary", "binary"):
        if len(v) <= t.length:
            return v
        cut = v[:t.length]
    else:
        return v
    if silent:
        return cut
    if isinstance(v, str) and v[len(cut):].strip(" ") == "":
        # ANSI_PADDING ON: trailing blanks beyond the length are dropped without error.
        return cut
    table, column = where
    shown = cut if isinstance(cut, str) else "0x" + cut.hex().upper()
    raise errors.SqlError(2628, "String or binary data would be truncated in table '%s', column '%s'. Truncated value: '%s'."
                          % (table, column, shown), 16, 1, errors.STATEMENT)

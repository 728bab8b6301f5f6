"""SELECT: table sources (user tables, CHANGETABLE, catalog views), joins,
WHERE, aggregates without GROUP BY, ORDER BY, TOP, OFFSET/FETCH."""
from . import errors, security, views
from .pushdown import narrow
from .catalog import fold
from .evaluate import Context, Scope, check_columns, column_ref, evaluate, sort_key
from .functions import RESULT_TYPES
from .datatypes import MAX, SqlType, from_storage, type_for_value


def table_rows(session, table, where=None, alias=None):
    cols = table.columns
    sql = "SELECT %s FROM t_%d" % (", ".join("c%d" % c["id"] for c in cols), table.object_id)
    args = []
    cond = narrow(session, table, where, alias or table.name) if where is not None else None
    if cond is not None:
        sql += " WHERE " + cond[0]
        args = cond[1]
    out = []
    for r in session.conn.execute(sql, args):
        session.check_attention()
        out.append([from_storage(v, c["sqltype"]) for v, c in zip(r, cols)])
    return out


def source(session, node, where=None):
    """(alias, table_name, columns, rows) for a FROM item."""
    if node.kind == "changetable":
        table = session.resolve_table(node.table)
        # CHANGETABLE(CHANGES …) needs "SELECT permission on at least the primary key columns
        # … and VIEW CHANGE TRACKING permission" on the table (Microsoft docs, CHANGETABLE)
        security.require(session, table, "SELECT")
        security.require(session, table, "VIEW CHANGE TRACKING")
        session.check_snapshot_access(table)
        version = evaluate(node.version, Context(session, Scope()))
        rows = session.ct.changes(table, version)
        return node.alias, node.alias, session.ct.columns(table), rows
    parts = node.name
    view = views.lookup(parts)
    if view is not None:
        cols, rows = view(session)
        return node.alias, parts[-1], cols, rows
    table = session.resolve_table(parts)
    security.require(session, table, "SELECT")
    session.check_snapshot_access(table)
    cols = [(c["name"], c["sqltype"], c["nullable"]) for c in table.columns]
    return node.alias, table.name, cols, table_rows(session, table, where, node.alias)


def contains_agg(node):
    if node is None:
        return False
    if getattr(node, "kind", None) == "agg":
        return True
    if getattr(node, "kind", None) in ("subquery", "exists"):
        return False   # a subquery's aggregates are its own
    for v in node.__dict__.values():
        if hasattr(v, "kind") and contains_agg(v):
            return True
        if isinstance(v, list):
            for x in v:
                if hasattr(x, "kind") and contains_agg(x):
                    return True
                if isinstance(x, tuple) and any(hasattr(y, "kind") and contains_agg(y) for y in x):
                    return True
    return False


def collect_aggs(node, out):
    if node is None:
        return
    if getattr(node, "kind", None) == "agg":
        out.append(node)
        return
    if getattr(node, "kind", None) in ("subquery", "exists"):
        return   # a subquery's aggregates are its own
    for v in node.__dict__.values():
        if hasattr(v, "kind"):
            collect_aggs(v, out)
        elif isinstance(v, list):
            for x in v:
                if hasattr(x, "kind"):
                    collect_aggs(x, out)
                elif isinstance(x, tuple):
                    for y in x:
                        if hasattr(y, "kind"):
                            collect_aggs(y, out)


def static_type(node, scope, session):
    """(SqlType, nullable) of an expression, or None when it depends on values."""
    k = node.kind
    if k == "col":
        bi, ci = column_ref(node, scope)
        name, t, nullable = scope.bindings[bi][2][ci]
        return t, nullable or scope.bindings[bi][3]
    if k == "lit":
        return (node.type or SqlType("int")), node.value is None
    if k == "param":
        v, t = session.get_var(node.name)
        return t, True
    if k == "cast":
        return node.type, True
    if k == "func" and node.name in RESULT_TYPES:
        return RESULT_TYPES[node.name], True
    if k == "func" and node.name in ("LOWER", "UPPER", "LTRIM", "RTRIM", "TRIM", "ISNULL", "COALESCE"):
        inner = static_type(node.args[0], scope, session)
        if inner and inner[0].is_string():
            return inner[0], True
    if k == "agg":
        if node.name == "COUNT":
            return SqlType("int"), False
        if node.name == "COUNT_BIG":
            return SqlType("bigint"), False
        inner = static_type(node.arg, scope, session)
        if inner:
            t = inner[0]
            if node.name == "SUM" and t.name in ("tinyint", "smallint"):
                t = SqlType("int")
            if node.name == "AVG" and t.name in ("tinyint", "smallint"):
                t = SqlType("int")
            return t, True
    if k == "global":
        return session.global_type(node.name), True
    if k in ("cmp", "and", "or", "not", "like", "in", "isnull", "between", "exists"):
        raise errors.syntax_near(node.kind)
    return None


def aggregate(node, ctx_rows, session, scope):
    name = node.name
    if node.arg is None:
        return len(ctx_rows)
    vals = [evaluate(node.arg, Context(session, scope, r)) for r in ctx_rows]
    vals = [v for v in vals if v is not None]
    if node.distinct:
        seen = {}
        for v in vals:
            seen.setdefault(sort_key(v), v)
        vals = list(seen.values())
    if name in ("COUNT", "COUNT_BIG"):
        return len(vals)
    if not vals:
        return None
    if name == "MAX":
        return max(vals, key=sort_key)
    if name == "MIN":
        return min(vals, key=sort_key)
    if name == "SUM":
        return sum(vals)
    if name == "AVG":
        s = sum(vals)
        return s // len(vals) if isinstance(s, int) else s / len(vals)
    raise errors.unsupported(name)


def run_select(session, node, outer=None):
    """Returns (columns [(name, SqlType, nullable)], rows [[values]])."""
    bindings = []
    rows = [()]
    single = len(node.sources) == 1 and outer is None
    for kind, src, cond in node.sources:
        alias, tname, cols, srows = source(session, src, node.where if single else None)
        if any(fold(b[0]) == fold(alias) for b in bindings):
            raise errors.SqlError(1011, "The correlation name '%s' is specified multiple times in a FROM clause." % alias,
                                  16, 1, errors.COMPILE)
        bindings.append((fold(alias), tname, cols, kind == "left"))
        scope = Scope(bindings)
        check_columns(cond, scope)
        if kind in ("first", "cross"):
            rows = [r + (s,) for r in rows for s in srows]
            continue
        rows = _join(session, scope, rows, srows, cond, kind == "left")
    scope = Scope(bindings)
    if outer is not None and not bindings:
        scope, rows = outer.scope, [outer.row]
    elif outer is not None and outer.row is not None and outer.scope.bindings:
        # a correlated subquery: the enclosing query's current row is visible after this
        # query's own tables, which names bind to first
        scope = Scope(bindings + outer.scope.bindings, inner=len(bindings))
        rows = [tuple(r) + tuple(outer.row) for r in rows]
    check_columns(node.where, scope)
    for it in node.items:
        if it.kind == "item":
            check_columns(it.expr, scope)
    aliases_seen = {fold(it.alias) for it in node.items if it.kind == "item" and it.alias}
    for e, _d in node.order:
        check_columns(e, scope, aliases_seen)
    if node.where is not None:
        if contains_agg(node.where):
            raise errors.SqlError(147, "An aggregate may not appear in the WHERE clause unless it is in a subquery contained in a HAVING clause or a select list, and the column being aggregated is an outer reference.",
                                  15, 1, errors.COMPILE)
        rows = [r for r in rows if evaluate(node.where, Context(session, scope, r)) is True]

    # select list
    items = []
    for it in node.items:
        if it.kind == "star":
            if not bindings:
                raise errors.SqlError(263, "Must specify table to select from.", 16, 1, errors.COMPILE)
            found = False
            for bi, (alias, tname, cols, _o) in enumerate(bindings):
                if it.qualifier is None or it.qualifier in (alias, fold(tname)):
                    found = True
                    for ci, (cname, t, nullable) in enumerate(cols):
                        items.append(("star", bi, ci, cname, t, nullable or bindings[bi][3]))
            if not found:
                raise errors.SqlError(4104, 'The multi-part identifier "%s" could not be bound.' % it.qualifier, 16, 1,
                                      errors.SCOPE)
        elif it.kind == "assign":
            raise errors.unsupported("SELECT @variable = ...")
        else:
            items.append(("expr", it))
    aggs = []
    for it in node.items:
        if it.kind == "item":
            collect_aggs(it.expr, aggs)
    for e, _d in node.order:
        collect_aggs(e, aggs)
    group = getattr(node, "group", None) or []
    having = getattr(node, "having", None)
    if having is not None:
        check_columns(having, scope)
        collect_aggs(having, aggs)
    for g in group:
        check_columns(g, scope)
        if contains_agg(g):
            raise errors.SqlError(144, "Cannot use an aggregate or a subquery in an expression used for the group by list of a GROUP BY clause.", 15, 1, errors.COMPILE)
    ctxs = []
    if aggs or group or having is not None:
        grouped = {column_ref(g, scope) for g in group if g.kind == "col"}
        for it in items:
            if it[0] == "star":
                if (it[1], it[2]) not in grouped:
                    raise _not_grouped(it[3], bool(group))
            elif not contains_agg(it[1].expr):
                bad = _ungrouped_column(it[1].expr, scope, grouped, group)
                if bad:
                    raise _not_grouped(bad, bool(group))
        if group:
            buckets = {}
            for r in rows:
                c = Context(session, scope, r)
                key = tuple(sort_key(evaluate(g, c)) for g in group)
                buckets.setdefault(key, []).append(r)
            groups = list(buckets.values())
        else:
            groups = [rows]
        for grows in groups:
            ctx = Context(session, scope, grows[0] if grows else None)
            ctx.agg_values = {id(a): aggregate(a, grows, session, scope) for a in aggs}
            if having is not None and evaluate(having, ctx) is not True:
                continue
            ctxs.append(ctx)
    else:
        ctxs = [Context(session, scope, r) for r in rows]

    out_cols = []
    for it in items:
        if it[0] == "star":
            out_cols.append([it[3], it[4], it[5]])
        else:
            st = static_type(it[1].expr, scope, session)
            name = it[1].alias if it[1].alias is not None else _expr_name(it[1].expr)
            out_cols.append([name, st[0] if st else None, st[1] if st else True])
    result = []
    for ctx in ctxs:
        vals = []
        for it in items:
            if it[0] == "star":
                r = ctx.row[it[1]]
                vals.append(None if r is None else r[it[2]])
            else:
                vals.append(evaluate(it[1].expr, ctx))
        result.append((vals, ctx))

    if node.distinct:
        seen = set()
        uniq = []
        for vals, ctx in result:
            key = tuple(sort_key(v) for v in vals)
            if key not in seen:
                seen.add(key)
                uniq.append((vals, ctx))
        result = uniq

    if node.order:
        aliases = {fold(c[0]): i for i, c in enumerate(out_cols) if c[0]}
        keyfns = []
        for e, desc in node.order:
            if e.kind == "lit" and isinstance(e.value, int):
                if not 1 <= e.value <= len(out_cols):
                    raise errors.SqlError(108, "The ORDER BY position number %d is out of range of the number of items in the select list." % e.value,
                                          15, 1, errors.COMPILE)
                idx = e.value - 1
                keyfns.append((lambda vals, ctx, idx=idx: vals[idx], desc))
            elif e.kind == "col" and len(e.parts) == 1 and fold(e.parts[0]) in aliases:
                idx = aliases[fold(e.parts[0])]
                keyfns.append((lambda vals, ctx, idx=idx: vals[idx], desc))
            else:
                keyfns.append((lambda vals, ctx, e=e: evaluate(e, ctx), desc))
        for fn, desc in reversed(keyfns):
            result.sort(key=lambda vc, fn=fn: sort_key(fn(vc[0], vc[1])), reverse=desc)

    empty = Context(session, Scope())
    if node.offset is not None:
        off = evaluate(node.offset, empty)
        if off is None or off < 0:
            raise errors.SqlError(10742, "The offset specified in a OFFSET clause may not be negative.", 16, 1)
        result = result[off:]
        if node.fetch is not None:
            n = evaluate(node.fetch, empty)
            if n is None or n <= 0:
                raise errors.SqlError(10744, "The number of rows provided for a FETCH clause must be greater then zero.", 16, 1)
            result = result[:n]
    if node.top is not None:
        n = evaluate(node.top, empty)
        if n is None or n < 0:
            raise errors.SqlError(1060, "The number of rows provided for a TOP or FETCH clauses row count parameter must be an integer.", 16, 1)
        result = result[:int(n)]

    rows_out = [vals for vals, _ in result]
    for i, c in enumerate(out_cols):
        if c[1] is None:
            sample = next((r[i] for r in rows_out if r[i] is not None), None)
            c[1] = type_for_value(sample)
            if c[1].name == "nvarchar" and c[1].length != MAX:
                c[1] = SqlType("nvarchar", 4000 if all(r[i] is None or len(r[i]) <= 4000 for r in rows_out) else MAX)
            if c[1].name == "varbinary":
                c[1] = SqlType("varbinary", MAX)
        if c[1].name in ("nvarchar", "varchar") and c[1].length != MAX:
            longest = max((len(r[i].encode("utf-16-le", "surrogatepass")) // 2 for r in rows_out
                           if isinstance(r[i], str)), default=0)
            if longest > c[1].length:
                c[1] = SqlType(c[1].name, 4000 if longest <= 4000 else MAX)
    return [tuple(c) for c in out_cols], rows_out


def _not_grouped(name, has_group):
    if has_group:
        return errors.SqlError(8120, "Column '%s' is invalid in the select list because it is not contained in either an aggregate function or the GROUP BY clause." % name, 16, 1, errors.COMPILE)
    return errors.SqlError(8120, "Column '%s' is invalid in the select list because it is not contained in either an aggregate function or the GROUP BY clause." % name, 16, 1, errors.COMPILE)


def _ungrouped_column(e, scope, grouped, group):
    """Name of a column used outside an aggregate and not grouped, or None."""
    if any(_same(e, g) for g in group):
        return None
    if e.kind == "col":
        return None if column_ref(e, scope) in grouped else e.parts[-1]
    if e.kind in ("agg", "subquery", "exists"):
        return None
    for v in e.__dict__.values():
        if hasattr(v, "kind"):
            bad = _ungrouped_column(v, scope, grouped, group)
            if bad:
                return bad
        elif isinstance(v, list):
            for x in v:
                if hasattr(x, "kind"):
                    bad = _ungrouped_column(x, scope, grouped, group)
                    if bad:
                        return bad
    return None


def _same(a, b):
    if a.kind != b.kind:
        return False
    da = {k: v for k, v in a.__dict__.items() if k not in ("line",) and not k.startswith("_ref_")}
    db = {k: v for k, v in b.__dict__.items() if k not in ("line",) and not k.startswith("_ref_")}
    if da.keys() != db.keys():
        return False
    for k in da:
        x, y = da[k], db[k]
        if hasattr(x, "kind") and hasattr(y, "kind"):
            if not _same(x, y):
                return False
        elif isinstance(x, list) and isinstance(y, list):
            if len(x) != len(y) or not all((_same(p, q) if hasattr(p, "kind") else p == q) for p, q in zip(x, y)):
                return False
        elif isinstance(x, list) or isinstance(y, list) or hasattr(x, "kind") or hasattr(y, "kind"):
            return False
        elif k == "parts":
            return [fold(p) for p in x] == [fold(p) for p in y]
        elif x != y:
            return False
    return True


def _has_column(e):
    if e.kind == "col":
        return True
    for v in e.__dict__.values():
        if hasattr(v, "kind") and _has_column(v):
            return True
        if isinstance(v, list) and any(hasattr(x, "kind") and _has_column(x) for x in v):
            return True
    return False


def _expr_name(e):
    if e.kind == "col":
        return e.parts[-1]
    return ""


def _join(session, scope, left_rows, right_rows, cond, left_outer):
    """Nested-loop join, with a hash on an equality between one column of each
    side when the ON clause has one (CHANGETABLE joins on the key)."""
    n = len(scope.bindings) - 1
    eq = _equi_pair(cond, scope, n)
    out = []
    if eq is not None:
        (lb, lc), (rb, rc) = eq
        index = {}
        for s in right_rows:
            v = s[rc]
            if v is not None:
                index.setdefault(sort_key(v), []).append(s)
        for r in left_rows:
            lr = r[lb]
            v = None if lr is None else lr[lc]
            matched = False
            if v is not None:
                for s in index.get(_probe_key(v, right_rows, rc), []):
                    row = r + (s,)
                    if evaluate(cond, Context(session, scope, row)) is True:
                        out.append(row)
                        matched = True
            if not matched and left_outer:
                out.append(r + (None,))
        return out
    for r in left_rows:
        matched = False
        for s in right_rows:
            row = r + (s,)
            if evaluate(cond, Context(session, scope, row)) is True:
                out.append(row)
                matched = True
        if not matched and left_outer:
            out.append(r + (None,))
    return out


def _probe_key(v, right_rows, rc):
    sample = next((s[rc] for s in right_rows if s[rc] is not None), None)
    if sample is not None and type(sample) is not type(v):
        from .evaluate import coerce_pair
        v, _ = coerce_pair(v, sample)
        if type(v) is not type(sample):
            _, v = coerce_pair(sample, v)
    return sort_key(v)


def _equi_pair(cond, scope, right_index):
    c = cond
    candidates = [c]
    while candidates:
        x = candidates.pop()
        if x.kind == "and":
            candidates += [x.left, x.right]
            continue
        if x.kind == "cmp" and x.op == "=" and x.left.kind == "col" and x.right.kind == "col":
            a = column_ref(x.left, scope)
            b = column_ref(x.right, scope)
            if a[0] == right_index and b[0] < right_index:
                return b, a
            if b[0] == right_index and a[0] < right_index:
                return a, b
    return None

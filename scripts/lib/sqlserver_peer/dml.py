"""INSERT, UPDATE, DELETE, TRUNCATE TABLE with SQL Server's constraint errors
(515 NULL, 2627 primary key/unique constraint, 2601 unique index, 547 foreign
key, 2628 truncation, 544 identity) and change-tracking records."""
import uuid

from . import errors, security
from .catalog import fold, table_by_id
from .evaluate import Context, Scope, check_columns, check_length, evaluate
from .pushdown import narrow
from .query import run_select
from .datatypes import convert, from_storage, to_storage


def default_value(s, col, t):
    d = col.get("default")
    if d is None:
        return None
    if d["kind"] == "func":
        from . import functions
        from .parser import Node
        return convert(functions.call(Node("func", name=d["name"], args=[]), Context(s, Scope())), t)
    v = d["value"]
    if isinstance(v, dict):
        v = bytes.fromhex(v["hex"])
    return convert(v, t)


def _fmt(v):
    if v is None:
        return "<NULL>"
    if isinstance(v, bytes):
        return "0x" + v.hex().upper()
    if isinstance(v, uuid.UUID):
        return str(v)
    return str(v)


def _where_sql(table, names, values):
    parts, args = [], []
    for n, v in zip(names, values):
        col = table.col(n)
        if v is None:
            parts.append("c%d IS NULL" % col["id"])
        else:
            parts.append("c%d = ?" % col["id"])
            args.append(to_storage(v, col["sqltype"]))
    return " AND ".join(parts), args


def unique_keys(table):
    """(kind, name, columns): the primary key, unique constraints, unique indexes."""
    keys = []
    if table.pk:
        keys.append(("PRIMARY KEY", table.pk["name"], table.pk["columns"]))
    for u in table.d.get("uniques", []):
        keys.append(("UNIQUE KEY", u["name"], u["columns"]))
    for ix in table.d.get("indexes", []):
        if ix["unique"]:
            keys.append(("INDEX", ix["name"], ix["columns"]))
    return keys


def check_unique(s, table, row, rowid=None):
    for kind, name, cols in unique_keys(table):
        vals = [row[fold(c)] for c in cols]
        where, args = _where_sql(table, cols, vals)
        sql = "SELECT rowid FROM t_%d WHERE %s" % (table.object_id, where)
        hits = [r[0] for r in s.conn.execute(sql, args) if r[0] != rowid]
        if hits:
            key = ", ".join(_fmt(v) for v in vals)
            if kind == "INDEX":
                raise errors.SqlError(2601, "Cannot insert duplicate key row in object '%s' with unique index '%s'. The duplicate key value is (%s)."
                                      % (table.qualified(), name, key), 14, 1)
            raise errors.SqlError(2627, "Violation of %s constraint '%s'. Cannot insert duplicate key in object '%s'. The duplicate key value is (%s)."
                                  % (kind, name, table.qualified(), key), 14, 1)


def find_duplicate(s, table, cols):
    ids = ", ".join("c%d" % table.col(c)["id"] for c in cols)
    row = s.conn.execute("SELECT %s FROM t_%d GROUP BY %s HAVING COUNT(*) > 1 LIMIT 1" % (ids, table.object_id, ids)).fetchone()
    return None if row is None else ", ".join(_fmt(v) for v in row)


def check_fk_parent(s, table, row, verb):
    for fk in table.d.get("fks", []):
        vals = [row[fold(c)] for c in fk["columns"]]
        if any(v is None for v in vals):
            continue
        parent = table if fk["ref"] == table.object_id else table_by_id(s.conn, fk["ref"])
        where, args = _where_sql(parent, fk["refcols"], vals)
        if not s.conn.execute("SELECT 1 FROM t_%d WHERE %s LIMIT 1" % (parent.object_id, where), args).fetchone():
            raise errors.SqlError(547, 'The %s statement conflicted with the FOREIGN KEY constraint "%s". The conflict occurred in database "%s", table "%s", column \'%s\'.'
                                  % (verb, fk["name"], s.db["name"], parent.qualified(), fk["refcols"][0]), 16, 0)


def complete_row(s, table, row, verb):
    """Type conversion, length and NULL checks for a full row dict (folded names)."""
    out = {}
    for col in table.columns:
        t = col["sqltype"]
        v = row.get(fold(col["name"]))
        v = convert(v, t)
        v = check_length(v, t, where=("%s.%s" % (s.db["name"], table.qualified()), col["name"]))
        if v is None and not col["nullable"]:
            raise errors.SqlError(515, "Cannot insert the value NULL into column '%s', table '%s.%s'; column does not allow nulls. %s fails."
                                  % (col["name"], s.db["name"], table.qualified(), verb), 16, 2)
        out[fold(col["name"])] = v
    return out


def insert_row(s, table, row):
    cols = table.columns
    sql = "INSERT INTO t_%d (%s) VALUES (%s)" % (table.object_id, ", ".join("c%d" % c["id"] for c in cols),
                                                 ", ".join("?" for _ in cols))
    s.write(sql, [to_storage(row[fold(c["name"])], c["sqltype"]) for c in cols], table)


def insert(s, node):
    table = s.resolve_table(node.table)
    security.require(s, table, "INSERT")
    s.check_snapshot_access(table)
    if node.columns is None:
        target = [c for c in table.columns if not c.get("identity")]
    else:
        target = []
        for n in node.columns:
            col = table.col(n)
            if not col:
                raise errors.invalid_column(n)
            if col in target:
                raise errors.SqlError(264, "The column name '%s' is specified more than once in the SET clause or column list of an INSERT. A column cannot be assigned more than one value in the same clause."
                                      % col["name"], 16, 1)
            target.append(col)
    for col in target:
        if col.get("identity"):
            raise errors.SqlError(544, "Cannot insert explicit value for identity column in table '%s' when IDENTITY_INSERT is set to OFF."
                                  % table.name, 16, 1)
    if node.rows is not None:
        empty = Context(s, Scope())
        value_rows = []
        for r in node.rows:
            if len(r) != len(target):
                if len(r) > len(target):
                    raise errors.SqlError(110, "There are fewer columns in the INSERT statement than values specified in the VALUES clause. The number of values in the VALUES clause must match the number of columns specified in the INSERT statement.", 15, 1, errors.COMPILE)
                raise errors.SqlError(109, "There are more columns in the INSERT statement than values specified in the VALUES clause. The number of values in the VALUES clause must match the number of columns specified in the INSERT statement.", 15, 1, errors.COMPILE)
            value_rows.append([("default",) if e.kind == "default" else evaluate(e, empty) for e in r])
    else:
        cols, rows = run_select(s, node.select)
        if len(cols) != len(target):
            raise errors.SqlError(120 if len(cols) < len(target) else 121,
                                  "The select list for the INSERT statement contains %s items than the insert list. The number of SELECT values must match the number of INSERT columns."
                                  % ("fewer" if len(cols) < len(target) else "more"), 15, 1, errors.COMPILE)
        value_rows = rows
    context = evaluate(node.ct_context, Context(s, Scope())) if node.ct_context is not None else None
    count = 0
    for vals in value_rows:
        row = {}
        given = {fold(c["name"]): v for c, v in zip(target, vals)}
        for col in table.columns:
            key = fold(col["name"])
            if col.get("identity"):
                ident = col["identity"]
                row[key] = s.server.next_identity(s.db["id"], table.object_id, ident["seed"], ident["inc"])
            elif key in given and given[key] != ("default",):
                row[key] = given[key]
            else:
                row[key] = default_value(s, col, col["sqltype"])
        row = complete_row(s, table, row, "INSERT")
        check_unique(s, table, row)
        check_fk_parent(s, table, row, "INSERT")
        insert_row(s, table, row)
        if any(c.get("identity") for c in table.columns):
            s.last_identity = next(row[fold(c["name"])] for c in table.columns if c.get("identity"))
        if table.pk:
            s.ct.record(table, s.ct.pk_key(table, {c: row[fold(c)] for c in table.pk["columns"]}), "I", context=context)
        count += 1
    return count


def _scan(s, table, where, extra=None):
    """(rowid, row list) pairs matching where."""
    cols = table.columns
    bind = [(fold(table.name), table.name, [(c["name"], c["sqltype"], c["nullable"]) for c in cols], False)]
    scope = Scope(bind)
    check_columns(where, scope)
    for e in extra or ():
        check_columns(e, scope)
    sql = "SELECT rowid, %s FROM t_%d" % (", ".join("c%d" % c["id"] for c in cols), table.object_id)
    args = []
    cond = narrow(s, table, where, table.name) if where is not None else None
    if cond is not None:
        sql += " WHERE " + cond[0]
        args = cond[1]
    out = []
    for r in s.conn.execute(sql, args).fetchall():
        vals = [from_storage(v, c["sqltype"]) for v, c in zip(r[1:], cols)]
        if where is None or evaluate(where, Context(s, scope, (vals,))) is True:
            out.append((r[0], vals))
    return scope, out


def update(s, node):
    table = s.resolve_table(node.table)
    security.require(s, table, "UPDATE")
    s.check_snapshot_access(table)
    sets = []
    seen = set()
    for name, e in node.sets:
        col = table.col(name)
        if not col:
            raise errors.invalid_column(name)
        if fold(name) in seen:
            raise errors.SqlError(264, "The column name '%s' is specified more than once in the SET clause or column list of an INSERT. A column cannot be assigned more than one value in the same clause." % col["name"], 16, 1)
        seen.add(fold(name))
        if col.get("identity"):
            raise errors.SqlError(8102, "Cannot update identity column '%s'." % col["name"], 16, 1)
        sets.append((col, e))
    scope, matches = _scan(s, table, node.where, [e for _c, e in sets])
    context = evaluate(node.ct_context, Context(s, Scope())) if node.ct_context is not None else None
    children = _referencing(s, table)
    changed = []
    for rowid, vals in matches:
        old = {fold(c["name"]): v for c, v in zip(table.columns, vals)}
        new = dict(old)
        ctx = Context(s, scope, (vals,))
        for col, e in sets:
            new[fold(col["name"])] = default_value(s, col, col["sqltype"]) if e.kind == "default" else evaluate(e, ctx)
        new = complete_row(s, table, new, "UPDATE")
        check_fk_parent(s, table, new, "UPDATE")
        for child, fk in children:
            if _key_changed(old, new, fk["refcols"]) and _has_children(s, child, fk, [old[fold(c)] for c in fk["refcols"]]):
                raise errors.SqlError(547, 'The UPDATE statement conflicted with the REFERENCE constraint "%s". The conflict occurred in database "%s", table "%s", column \'%s\'.'
                                      % (fk["name"], s.db["name"], child.qualified(), fk["columns"][0]), 16, 0)
        cols = table.columns
        s.write("UPDATE t_%d SET %s WHERE rowid = ?" % (table.object_id, ", ".join("c%d = ?" % c["id"] for c in cols)),
                [to_storage(new[fold(c["name"])], c["sqltype"]) for c in cols] + [rowid], table)
        changed.append((rowid, old, new))
    # uniqueness is checked once every row has its new value (a swap of keys is allowed)
    for rowid, old, new in changed:
        check_unique(s, table, new, rowid)
    if table.pk:
        for rowid, old, new in changed:
            pk_old = s.ct.pk_key(table, {c: old[fold(c)] for c in table.pk["columns"]})
            pk_new = s.ct.pk_key(table, {c: new[fold(c)] for c in table.pk["columns"]})
            if pk_old != pk_new and _key_changed(old, new, table.pk["columns"]):
                # An update of the primary key is tracked as a delete and an insert.
                s.ct.record(table, pk_old, "D", context=context)
                s.ct.record(table, pk_new, "I", context=context)
            else:
                s.ct.record(table, pk_old, "U", [c["id"] for c, _ in sets], context=context)
    return len(changed)


def _key_changed(old, new, cols):
    from .evaluate import compare
    for c in cols:
        a, b = old[fold(c)], new[fold(c)]
        if (a is None) != (b is None):
            return True
        if a is not None and (compare(a, b) != 0 or a != b):
            return True
    return False


def _referencing(s, table):
    from .ddl import referencing
    return referencing(s, table)


def _has_children(s, child, fk, values):
    where, args = _where_sql(child, fk["columns"], values)
    return s.conn.execute("SELECT 1 FROM t_%d WHERE %s LIMIT 1" % (child.object_id, where), args).fetchone() is not None


def delete(s, node):
    table = s.resolve_table(node.table)
    security.require(s, table, "DELETE")
    s.check_snapshot_access(table)
    _scope, matches = _scan(s, table, node.where)
    context = evaluate(node.ct_context, Context(s, Scope())) if node.ct_context is not None else None
    for rowid, vals in matches:
        _delete_row(s, table, rowid, vals, context, 0)
    return len(matches)


def _delete_row(s, table, rowid, vals, context, depth):
    if depth > 32:
        raise errors.SqlError(217, "Maximum stored procedure, function, trigger, or view nesting level exceeded (limit 32).", 16, 1)
    row = {fold(c["name"]): v for c, v in zip(table.columns, vals)}
    if s.conn.execute("SELECT 1 FROM t_%d WHERE rowid = ?" % table.object_id, (rowid,)).fetchone() is None:
        return  # already removed by a cascade
    s.write("DELETE FROM t_%d WHERE rowid = ?" % table.object_id, (rowid,), table)
    for child, fk in _referencing(s, table):
        keyvals = [row[fold(c)] for c in fk["refcols"]]
        if not _has_children(s, child, fk, keyvals):
            continue
        if not fk["cascade"]:
            raise errors.SqlError(547, 'The DELETE statement conflicted with the REFERENCE constraint "%s". The conflict occurred in database "%s", table "%s", column \'%s\'.'
                                  % (fk["name"], s.db["name"], child.qualified(), fk["columns"][0]), 16, 0)
        where, args = _where_sql(child, fk["columns"], keyvals)
        cols = child.columns
        for r in s.conn.execute("SELECT rowid, %s FROM t_%d WHERE %s" % (", ".join("c%d" % c["id"] for c in cols),
                                                                       child.object_id, where), args).fetchall():
            _delete_row(s, child, r[0], [from_storage(v, c["sqltype"]) for v, c in zip(r[1:], cols)], context, depth + 1)
    if table.pk:
        s.ct.record(table, s.ct.pk_key(table, {c: row[fold(c)] for c in table.pk["columns"]}), "D", context=context)


def truncate(s, node):
    table = s.resolve_table(node.table)
    if not security.is_sysadmin(s):
        # TRUNCATE needs ALTER on the table, which is not modelled
        raise errors.SqlError(1088, 'Cannot find the object "%s" because it does not exist or you do not have permissions.'
                              % table.name, 16, 7)
    s.check_snapshot_access(table)
    refs = [t for t, fk in _referencing(s, table) if t.object_id != table.object_id]
    if refs:
        raise errors.SqlError(4712, "Cannot truncate table '%s' because it is being referenced by a FOREIGN KEY constraint."
                              % table.qualified(), 16, 1)
    s.write("DELETE FROM t_%d" % table.object_id, (), table)
    if any(c.get("identity") for c in table.columns):
        # TRUNCATE reseeds (not undone by a rollback here; SQL Server would undo it)
        s.server.reset_identity(s.db["id"], table.object_id)
    s.ct.truncate(table)

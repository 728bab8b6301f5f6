"""CREATE/DROP/ALTER TABLE and CREATE INDEX."""
from . import errors
from .catalog import Table, find_table, fold, load_tables, next_object_id, save_table
from .datatypes import convert, is_binary_collation

STORAGE = {"tinyint": "INTEGER", "smallint": "INTEGER", "int": "INTEGER", "bigint": "INTEGER", "bit": "INTEGER",
           "nvarchar": "TEXT COLLATE CI", "varchar": "TEXT COLLATE CI", "varbinary": "BLOB",
           "uniqueidentifier": "TEXT", "datetime2": "TEXT", "datetimeoffset": "TEXT", "date": "TEXT",
           "decimal": "TEXT", "float": "REAL"}
DEFAULT_FUNCS = {"GETDATE", "GETUTCDATE", "SYSUTCDATETIME", "SYSDATETIME", "SYSDATETIMEOFFSET", "NEWID"}


def storage(d):
    """The SQLite column type of a column dict: strings compare under the column's collation."""
    t = d["type"]
    if t["name"] in ("nvarchar", "varchar", "nchar", "char") and is_binary_collation(t.get("collation")):
        return "TEXT COLLATE BIN"
    return STORAGE[t["name"]]


def default_def(node, col_name):
    if node is None:
        return None
    if node.kind == "lit":
        v = node.value
        if isinstance(v, bytes):
            return {"kind": "lit", "value": {"hex": v.hex()}}
        if v is not None and not isinstance(v, (int, str, float)):
            v = str(v)
        return {"kind": "lit", "value": v, "n": bool(node.type and node.type.name == "nvarchar")}
    if node.kind == "func" and node.name in DEFAULT_FUNCS and not node.args:
        return {"kind": "func", "name": node.name}
    raise errors.unsupported("DEFAULT expressions other than constants and %s()" % "/".join(sorted(DEFAULT_FUNCS)))


def constraint_name(prefix, table, given):
    if given:
        return given
    import random
    return "%s__%s__%016X" % (prefix, table[:8], random.getrandbits(64))


def column_dict(cnode, colid, table_name):
    t = cnode.type
    d = {"id": colid, "name": cnode.name, "type": t.to_dict(),
         "nullable": True if cnode.nullable is None else cnode.nullable,
         "default": default_def(cnode.default, cnode.name), "identity": None}
    if cnode.identity:
        if not t.is_int() or t.name == "bit":
            raise errors.SqlError(2749, "Identity column '%s' must be of data type int, bigint, smallint, tinyint, or decimal or numeric with a scale of 0, and constrained to be nonnullable."
                                  % cnode.name, 16, 2)
        d["identity"] = {"seed": cnode.identity[0], "inc": cnode.identity[1], "next": cnode.identity[0]}
        d["nullable"] = False if cnode.nullable is None else cnode.nullable
    if d["default"] and d["default"]["kind"] == "lit" and d["default"]["value"] is not None \
            and not isinstance(d["default"]["value"], dict):
        convert(d["default"]["value"], t)  # a default that cannot convert is an error when used; check early
    return d


def create_table(s, node):
    schema, name = s.split_name(node.name)
    if find_table(s.conn, schema, name) or (fold(schema), fold(name)) in (("sys", "databases"),):
        raise errors.SqlError(2714, "There is already an object named '%s' in the database." % name, 16, 6)
    oid = next_object_id(s.conn)
    s.server.reset_identity(s.db["id"], oid)
    cols = []
    seen = set()
    for i, c in enumerate(node.columns, 1):
        if fold(c.name) in seen:
            raise errors.SqlError(2705, "Column names in each table must be unique. Column name '%s' in table '%s' is specified more than once."
                                  % (c.name, name), 16, 1)
        seen.add(fold(c.name))
        cols.append(column_dict(c, i, name))
    if sum(1 for c in cols if c["identity"]) > 1:
        raise errors.SqlError(2744, "Multiple identity columns specified for table '%s'. Only one identity column per table is allowed." % name, 16, 2)
    d = {"object_id": oid, "schema": schema, "name": name, "columns": cols, "pk": None, "uniques": [], "fks": [],
         "indexes": []}
    table = Table(d)
    constraints = list(node.constraints)
    for c in node.columns:
        constraints += c.constraints
    # keys first: a FOREIGN KEY may reference this table's own key ("a self-reference",
    # docs "Primary and foreign key constraints"), declared anywhere in the statement
    constraints.sort(key=lambda con: con.kind == "fk")
    for con in constraints:
        for cn in con.columns:
            if not table.col(cn):
                raise errors.SqlError(1911 if con.kind != "fk" else 1769,
                                      "Column name '%s' does not exist in the target table or view." % cn, 16, 1)
        cols_named = [table.col(cn)["name"] for cn in con.columns]
        if con.kind == "pk":
            if d["pk"]:
                raise errors.SqlError(8110, "Cannot add multiple PRIMARY KEY constraints to table '%s'." % name, 16, 0)
            for cn in cols_named:
                col = table.col(cn)
                if col["nullable"] and any(cc.name == col["name"] and cc.nullable for cc in node.columns):
                    raise errors.SqlError(8111, "Cannot define PRIMARY KEY constraint on nullable column in table '%s'." % name, 16, 0)
                col["nullable"] = False
            d["pk"] = {"name": constraint_name("PK", name, con.name), "columns": cols_named}
        elif con.kind == "unique":
            d["uniques"].append({"name": constraint_name("UQ", name, con.name), "columns": cols_named})
        elif con.kind == "fk":
            ref = s.resolve_table(con.ref) if not (s.split_name(con.ref) == (schema, name)) else table
            refcols = con.refcols or (ref.pk["columns"] if ref.pk else [])
            fkname = constraint_name("FK", name, con.name)
            keys = [ref.pk["columns"]] if ref.pk else []
            keys += [u["columns"] for u in ref.d.get("uniques", [])] + [ix["columns"] for ix in ref.d.get("indexes", []) if ix["unique"]]
            if not any(sorted(map(fold, k)) == sorted(map(fold, refcols)) for k in keys) or len(refcols) != len(cols_named):
                raise errors.SqlError(1776, "There are no primary or candidate keys in the referenced table '%s' that match the referencing column list in the foreign key '%s'."
                                      % (ref.qualified(), fkname), 16, 0)
            for mine, theirs in zip(cols_named, refcols):
                ours = table.col(mine)["type"].get("collation")
                their = ref.col(theirs)["type"].get("collation")
                if fold(ours or "") != fold(their or ""):
                    raise errors.SqlError(1757, "Column '%s.%s' is not of same collation as referencing column '%s.%s' in foreign key '%s'."
                                          % (ref.name, theirs, name, mine, fkname), 16, 0)
            d["fks"].append({"name": fkname, "columns": cols_named, "ref": ref.object_id,
                             "refcols": [ref.col(c)["name"] for c in refcols], "cascade": con.cascade})
    table = Table(d)
    save_table(s.conn, table)
    coldefs = ", ".join("c%d %s" % (c["id"], storage(c)) for c in cols)
    s.conn.execute("CREATE TABLE t_%d (%s)" % (oid, coldefs))
    _indexes(s, table)


def _indexes(s, table):
    keys = []
    if table.pk:
        keys.append(table.pk["columns"])
    keys += [u["columns"] for u in table.d["uniques"]] + [fk["columns"] for fk in table.d["fks"]]
    keys += [ix["columns"] for ix in table.d["indexes"]]
    for i, k in enumerate(keys):
        s.conn.execute("CREATE INDEX IF NOT EXISTS i_%d_%d ON t_%d (%s)" % (
            table.object_id, i, table.object_id, ", ".join("c%d" % table.col(c)["id"] for c in k)))


def referencing(s, table):
    """(child table, fk) pairs whose foreign key points at table."""
    out = []
    for t in load_tables(s.conn):
        for fk in t.d.get("fks", []):
            if fk["ref"] == table.object_id:
                out.append((t, fk))
    return out


def drop_table(s, node):
    schema, name = s.split_name(node.name)
    table = find_table(s.conn, schema, name)
    if not table:
        if node.if_exists:
            return
        raise errors.SqlError(3701, "Cannot drop the table '%s', because it does not exist or you do not have permission."
                              % ".".join(node.name), 11, 5)
    refs = [(t, fk) for t, fk in referencing(s, table) if t.object_id != table.object_id]
    if refs:
        raise errors.SqlError(3726, "Could not drop object '%s' because it is referenced by a FOREIGN KEY constraint."
                              % table.qualified(), 16, 1)
    s.conn.execute("DROP TABLE t_%d" % table.object_id)
    s.server.reset_identity(s.db["id"], table.object_id)
    s.conn.execute("DELETE FROM _peer_tables WHERE object_id=?", (table.object_id,))
    s.conn.execute("DELETE FROM _peer_ct_tables WHERE object_id=?", (table.object_id,))
    s.conn.execute("DELETE FROM _peer_ct WHERE object_id=?", (table.object_id,))


def alter_add(s, node):
    table = s.resolve_table(node.table)
    count = s.conn.execute("SELECT COUNT(*) FROM t_%d" % table.object_id).fetchone()[0]
    next_id = max(c["id"] for c in table.columns) + 1
    for c in node.columns:
        if table.col(c.name):
            raise errors.SqlError(2705, "Column names in each table must be unique. Column name '%s' in table '%s' is specified more than once."
                                  % (c.name, table.name), 16, 1)
        if c.constraints:
            raise errors.unsupported("constraints in ALTER TABLE ADD")
        d = column_dict(c, next_id, table.name)
        next_id += 1
        if not d["nullable"] and d["default"] is None and not d["identity"] and count:
            raise errors.SqlError(4901, "ALTER TABLE only allows columns to be added that can contain nulls, or have a DEFAULT definition specified, or the column being added is an identity or timestamp column, or alternatively if none of the previous conditions are satisfied the table must be empty to allow addition of this column. Column '%s' cannot be added to non-empty table '%s' because it does not satisfy these conditions."
                                  % (c.name, table.name), 16, 1)
        if d["identity"]:
            raise errors.unsupported("adding an IDENTITY column")
        s.conn.execute("ALTER TABLE t_%d ADD COLUMN c%d %s" % (table.object_id, d["id"], storage(d)))
        if not d["nullable"] and d["default"] is not None and count:
            # A NOT NULL column with a default is filled with it in existing rows.
            from .dml import default_value
            from .datatypes import SqlType, to_storage
            v = default_value(s, d, SqlType.from_dict(d["type"]))
            s.conn.execute("UPDATE t_%d SET c%d = ?" % (table.object_id, d["id"]), (to_storage(v, SqlType.from_dict(d["type"])),))
        table.d["columns"].append(d)
        table = Table(table.d)
    save_table(s.conn, table)


def create_index(s, node):
    table = s.resolve_table(node.table)
    for ix in table.d["indexes"]:
        if fold(ix["name"]) == fold(node.name):
            raise errors.SqlError(1913, "The operation failed because an index or statistics with name '%s' already exists on table '%s'."
                                  % (node.name, table.qualified()), 16, 1)
    cols = []
    for c in node.columns:
        col = table.col(c)
        if not col:
            raise errors.SqlError(1911, "Column name '%s' does not exist in the target table or view." % c, 16, 1)
        cols.append(col["name"])
    ix = {"name": node.name, "columns": cols, "unique": node.unique}
    if node.unique:
        from .dml import find_duplicate
        dup = find_duplicate(s, table, cols)
        if dup is not None:
            raise errors.SqlError(1505, "The CREATE UNIQUE INDEX statement terminated because a duplicate key was found for the object name '%s' and the index name '%s'. The duplicate key value is (%s)."
                                  % (table.qualified(), node.name, dup), 16, 1)
    table.d["indexes"].append(ix)
    save_table(s.conn, Table(table.d))
    _indexes(s, Table(table.d))


def drop_index(s, node):
    table = s.resolve_table(node.table)
    before = len(table.d["indexes"])
    table.d["indexes"] = [ix for ix in table.d["indexes"] if fold(ix["name"]) != fold(node.name)]
    if len(table.d["indexes"]) == before:
        raise errors.SqlError(3701, "Cannot drop the index '%s.%s', because it does not exist or you do not have permission."
                              % (table.qualified(), node.name), 11, 7)
    save_table(s.conn, Table(table.d))

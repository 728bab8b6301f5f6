"""Catalog views the subset offers: INFORMATION_SCHEMA.COLUMNS/TABLES,
sys.databases, sys.tables, sys.columns, sys.indexes, sys.change_tracking_databases,
sys.change_tracking_tables. Columns are the documented ones this server can fill."""
from .catalog import fold, load_tables
from .datatypes import MAX, SqlType


def _n(n=128):
    return SqlType("nvarchar", n)


INT, BIGINT, BIT, TINYINT, SMALLINT = SqlType("int"), SqlType("bigint"), SqlType("bit"), SqlType("tinyint"), SqlType("smallint")


def default_text(d):
    """COLUMN_DEFAULT as SQL Server shows it, e.g. ((0)), (N'x'), (getdate())."""
    if d is None:
        return None
    kind = d["kind"]
    if kind == "func":
        return "(%s())" % d["name"].lower()
    v = d["value"]
    if v is None:
        return "(NULL)"
    if isinstance(v, str):
        return "(%s'%s')" % ("N" if d.get("n") else "", v.replace("'", "''"))
    if isinstance(v, dict):
        return "(0x%s)" % v["hex"].upper()
    return "((%s))" % v


def collation_name(st):
    """A character column's collation (the database default unless declared); NULL otherwise."""
    if not st.is_string():
        return None
    return st.collation or "SQL_Latin1_General_CP1_CI_AS"


def info_columns(s):
    cols = [("TABLE_CATALOG", _n(), True), ("TABLE_SCHEMA", _n(), True), ("TABLE_NAME", _n(), False),
            ("COLUMN_NAME", _n(), True), ("ORDINAL_POSITION", INT, True), ("COLUMN_DEFAULT", _n(4000), True),
            ("IS_NULLABLE", SqlType("varchar", 3), True), ("DATA_TYPE", _n(), True),
            ("CHARACTER_MAXIMUM_LENGTH", INT, True), ("NUMERIC_PRECISION", TINYINT, True),
            ("NUMERIC_SCALE", INT, True), ("DATETIME_PRECISION", SMALLINT, True), ("COLLATION_NAME", _n(), True)]
    rows = []
    for t in load_tables(s.conn):
        for pos, c in enumerate(t.columns, 1):
            st = c["sqltype"]
            maxlen = None
            if st.name in ("nvarchar", "varchar", "varbinary"):
                maxlen = -1 if st.length == MAX else st.length
            prec = scale = dtp = None
            if st.is_int() and st.name != "bit":
                prec, scale = {"tinyint": 3, "smallint": 5, "int": 10, "bigint": 19}[st.name], 0
            if st.name == "decimal":
                prec, scale = st.precision, st.scale
            if st.name in ("datetime2", "datetimeoffset"):
                dtp = st.scale
            rows.append([s.db["name"], t.schema, t.name, c["name"], pos, default_text(c.get("default")),
                         "YES" if c["nullable"] else "NO", st.name, maxlen, prec, scale, dtp, collation_name(st)])
    return cols, rows


def info_tables(s):
    cols = [("TABLE_CATALOG", _n(), True), ("TABLE_SCHEMA", _n(), True), ("TABLE_NAME", _n(), False),
            ("TABLE_TYPE", SqlType("varchar", 10), True)]
    return cols, [[s.db["name"], t.schema, t.name, "BASE TABLE"] for t in load_tables(s.conn)]


def _constraints(s):
    for t in load_tables(s.conn):
        if t.pk:
            yield t, t.pk["name"], "PRIMARY KEY", t.pk["columns"]
        for u in t.d.get("uniques", []):
            yield t, u["name"], "UNIQUE", u["columns"]
        for fk in t.d.get("fks", []):
            yield t, fk["name"], "FOREIGN KEY", fk["columns"]


def info_table_constraints(s):
    cols = [("CONSTRAINT_CATALOG", _n(), True), ("CONSTRAINT_SCHEMA", _n(), True), ("CONSTRAINT_NAME", _n(), False),
            ("TABLE_CATALOG", _n(), True), ("TABLE_SCHEMA", _n(), True), ("TABLE_NAME", _n(), False),
            ("CONSTRAINT_TYPE", SqlType("varchar", 11), True)]
    return cols, [[s.db["name"], t.schema, name, s.db["name"], t.schema, t.name, kind]
                  for t, name, kind, _c in _constraints(s)]


def info_key_column_usage(s):
    cols = [("CONSTRAINT_CATALOG", _n(), True), ("CONSTRAINT_SCHEMA", _n(), True), ("CONSTRAINT_NAME", _n(), False),
            ("TABLE_CATALOG", _n(), True), ("TABLE_SCHEMA", _n(), True), ("TABLE_NAME", _n(), False),
            ("COLUMN_NAME", _n(), True), ("ORDINAL_POSITION", INT, False)]
    rows = []
    for t, name, _kind, columns in _constraints(s):
        for i, c in enumerate(columns, 1):
            rows.append([s.db["name"], t.schema, name, s.db["name"], t.schema, t.name, c, i])
    return cols, rows


def sys_schemas(s):
    cols = [("name", _n(), False), ("schema_id", INT, False)]
    return cols, [["dbo", 1], ["sys", 4], ["INFORMATION_SCHEMA", 3]]


def sys_databases(s):
    cols = [("name", _n(), False), ("database_id", INT, False), ("snapshot_isolation_state", TINYINT, True),
            ("snapshot_isolation_state_desc", _n(60), True), ("is_read_committed_snapshot_on", BIT, True),
            ("collation_name", _n(), True), ("compatibility_level", TINYINT, False)]
    rows = [[d["name"], d["id"], 1 if d["snapshot"] else 0, "ON" if d["snapshot"] else "OFF", 1 if d["rcsi"] else 0,
             "SQL_Latin1_General_CP1_CI_AS", 160] for d in s.server.all_dbs()]
    return cols, rows


def sys_tables(s):
    cols = [("name", _n(), False), ("object_id", INT, False), ("schema_id", INT, False), ("type", SqlType("varchar", 2), True)]
    return cols, [[t.name, t.object_id, 1, "U"] for t in load_tables(s.conn)]


def sys_columns(s):
    cols = [("object_id", INT, False), ("name", _n(), True), ("column_id", INT, False), ("is_nullable", BIT, True),
            ("is_identity", BIT, False), ("max_length", SMALLINT, False), ("collation_name", _n(), True)]
    rows = []
    for t in load_tables(s.conn):
        for c in t.columns:
            st = c["sqltype"]
            ml = -1 if st.length == MAX else ((st.length * 2 if st.name == "nvarchar" else st.length) if st.length else 0)
            rows.append([t.object_id, c["name"], c["id"], 1 if c["nullable"] else 0, 1 if c.get("identity") else 0, ml,
                         collation_name(st)])
    return cols, rows


def sys_indexes(s):
    """One row per index, as sys.indexes documents them: the primary key and UNIQUE
    constraints (their backing indexes) and CREATE INDEX indexes; index_id 1 is the
    clustered primary key, heaps have no row 0 here (not modelled)."""
    cols = [("object_id", INT, False), ("name", _n(), True), ("index_id", INT, False), ("type", TINYINT, False),
            ("is_unique", BIT, True), ("is_primary_key", BIT, True), ("is_unique_constraint", BIT, True)]
    rows = []
    for t in load_tables(s.conn):
        n = 1
        if t.pk:
            rows.append([t.object_id, t.pk["name"], n, 1, 1, 1, 0])
        for u in t.d.get("uniques", []):
            n += 1
            rows.append([t.object_id, u["name"], n, 2, 1, 0, 1])
        for ix in t.d.get("indexes", []):
            n += 1
            rows.append([t.object_id, ix["name"], n, 2, 1 if ix.get("unique") else 0, 0, 0])
    return cols, rows


def sys_ct_databases(s):
    cols = [("database_id", INT, False), ("is_auto_cleanup_on", TINYINT, True), ("retention_period", INT, True),
            ("retention_period_units", TINYINT, True), ("retention_period_units_desc", _n(60), True)]
    rows = []
    for d in s.server.all_dbs():
        if d["ct_on"]:
            units = d["ct_units"]
            rows.append([d["id"], 1 if d["ct_auto_cleanup"] else 0, d["ct_retention"],
                         {"MINUTES": 1, "HOURS": 2, "DAYS": 3}[units], units])
    return cols, rows


def sys_ct_tables(s):
    cols = [("object_id", INT, False), ("is_track_columns_updated_on", BIT, False), ("min_valid_version", BIGINT, True),
            ("begin_version", BIGINT, True), ("cleanup_version", BIGINT, True)]
    rows = [[oid, track, mv, bv, mv] for oid, track, mv, bv in
            s.conn.execute("SELECT object_id, track_columns, min_valid, begin_version FROM _peer_ct_tables")]
    return cols, rows


VIEWS = {
    ("information_schema", "columns"): info_columns,
    ("information_schema", "tables"): info_tables,
    ("information_schema", "table_constraints"): info_table_constraints,
    ("information_schema", "key_column_usage"): info_key_column_usage,
    ("sys", "schemas"): sys_schemas,
    ("sys", "databases"): sys_databases,
    ("sys", "tables"): sys_tables,
    ("sys", "columns"): sys_columns,
    ("sys", "indexes"): sys_indexes,
    ("sys", "change_tracking_databases"): sys_ct_databases,
    ("sys", "change_tracking_tables"): sys_ct_tables,
}


def lookup(parts):
    if len(parts) < 2:
        return None
    key = (fold(parts[-2]), fold(parts[-1]))
    return VIEWS.get(key)

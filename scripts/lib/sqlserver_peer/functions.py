"""Scalar functions of the subset, with their result types."""
import datetime
import struct
import uuid

from . import errors
from .evaluate import evaluate, text_units
from .datatypes import SqlType

RESULT_TYPES = {
    "CHANGE_TRACKING_CURRENT_VERSION": SqlType("bigint"),
    "CHANGE_TRACKING_MIN_VALID_VERSION": SqlType("bigint"),
    "CHANGE_TRACKING_IS_COLUMN_IN_MASK": SqlType("bit"),
    "OBJECT_ID": SqlType("int"),
    "COLUMNPROPERTY": SqlType("int"),
    "DB_NAME": SqlType("nvarchar", 128),
    "DB_ID": SqlType("smallint"),
    "SCOPE_IDENTITY": SqlType("decimal", precision=38, scale=0),
    "LEN": SqlType("int"),
    "DATALENGTH": SqlType("int"),
    "SYSUTCDATETIME": SqlType("datetime2", scale=7),
    "SYSDATETIME": SqlType("datetime2", scale=7),
    "GETDATE": SqlType("datetime2", scale=3),
    "GETUTCDATE": SqlType("datetime2", scale=3),
    "SYSDATETIMEOFFSET": SqlType("datetimeoffset", scale=7),
    "NEWID": SqlType("uniqueidentifier"),
    "SCHEMA_NAME": SqlType("nvarchar", 128),
    "OBJECT_NAME": SqlType("nvarchar", 128),
    "SUSER_SNAME": SqlType("nvarchar", 128),
    "SERVERPROPERTY": SqlType("nvarchar", 128),
}

ARG_COUNTS = {"CHANGE_TRACKING_CURRENT_VERSION": (0, 0), "CHANGE_TRACKING_MIN_VALID_VERSION": (1, 1),
              "CHANGE_TRACKING_IS_COLUMN_IN_MASK": (2, 2), "OBJECT_ID": (1, 2), "COLUMNPROPERTY": (3, 3),
              "DB_NAME": (0, 1), "DB_ID": (0, 1), "SCOPE_IDENTITY": (0, 0), "LEN": (1, 1), "DATALENGTH": (1, 1),
              "LOWER": (1, 1), "UPPER": (1, 1), "SYSUTCDATETIME": (0, 0), "SYSDATETIME": (0, 0), "GETDATE": (0, 0),
              "GETUTCDATE": (0, 0), "SYSDATETIMEOFFSET": (0, 0), "NEWID": (0, 0), "ISNULL": (2, 2),
              "COALESCE": (1, 99), "LTRIM": (1, 1), "RTRIM": (1, 1), "TRIM": (1, 1), "SCHEMA_NAME": (0, 1),
              "OBJECT_NAME": (1, 2), "SUSER_SNAME": (0, 0), "SERVERPROPERTY": (1, 1), "NULLIF": (2, 2),
              "ABS": (1, 1), "SUBSTRING": (3, 3), "LEFT": (2, 2), "RIGHT": (2, 2), "REPLACE": (3, 3),
              "CHARINDEX": (2, 3), "CONCAT": (2, 99), "IIF": (3, 3)}


def encode_mask(column_ids):
    """SYS_CHANGE_COLUMNS: this server's own encoding (SQL Server documents the
    mask only as opaque, to be read with CHANGE_TRACKING_IS_COLUMN_IN_MASK):
    the updated column ids as little-endian int32 values, ascending."""
    return b"".join(struct.pack("<i", c) for c in sorted(set(column_ids)))


def decode_mask(mask):
    return {struct.unpack("<i", mask[i:i + 4])[0] for i in range(0, len(mask) - 3, 4)}


def call(node, ctx):
    name = node.name
    if name not in ARG_COUNTS:
        raise errors.SqlError(195, "'%s' is not a recognized built-in function name." % name.lower(), 15, 10,
                              errors.COMPILE)
    lo, hi = ARG_COUNTS[name]
    if not lo <= len(node.args) <= hi:
        raise errors.SqlError(174, "The %s function requires %d argument(s)." % (name.lower(), lo), 15, 1,
                              errors.COMPILE)
    s = ctx.session
    if name == "ISNULL":
        v = evaluate(node.args[0], ctx)
        return v if v is not None else evaluate(node.args[1], ctx)
    if name == "COALESCE":
        for a in node.args:
            v = evaluate(a, ctx)
            if v is not None:
                return v
        return None
    if name == "IIF":
        return evaluate(node.args[1], ctx) if evaluate(node.args[0], ctx) is True else evaluate(node.args[2], ctx)
    args = [evaluate(a, ctx) for a in node.args]
    if name == "CHANGE_TRACKING_CURRENT_VERSION":
        return s.ct.current_version()
    if name == "CHANGE_TRACKING_MIN_VALID_VERSION":
        return s.ct.min_valid_version(args[0])
    if name == "CHANGE_TRACKING_IS_COLUMN_IN_MASK":
        col, mask = args
        if col is None:
            return None
        if mask is None:
            # Not documented for a NULL mask; NULL in, NULL out, so a client has
            # to handle SYS_CHANGE_COLUMNS IS NULL ("all columns") explicitly.
            return None
        return 1 if int(col) in decode_mask(mask) else 0
    if name == "OBJECT_ID":
        return None if args[0] is None else s.object_id(args[0])
    if name == "OBJECT_NAME":
        return s.object_name(args[0])
    if name == "COLUMNPROPERTY":
        return s.column_property(*args)
    if name == "DB_NAME":
        if not args or args[0] is None and not node.args:
            return s.db["name"]
        db = s.server.db_by_id(int(args[0])) if args[0] is not None else None
        return db["name"] if db else None
    if name == "DB_ID":
        if not args:
            return s.db["id"]
        db = s.server.find_db(args[0]) if args[0] is not None else None
        return db["id"] if db else None
    if name == "SCHEMA_NAME":
        return "dbo"
    if name == "SUSER_SNAME":
        return s.login
    if name == "SERVERPROPERTY":
        return {"productversion": "16.0.0.0", "edition": "Test double (sqlserver-peer)",
                "engineedition": "3", "servername": "sqlserver-peer"}.get(str(args[0]).lower())
    if name == "SCOPE_IDENTITY":
        return None if s.last_identity is None else __import__("decimal").Decimal(s.last_identity)
    v = args[0] if args else None
    if name == "LEN":
        # LEN excludes trailing blanks and counts characters (docs: LEN).
        return None if v is None else (len(str(v).rstrip(" ")) if not isinstance(v, str) else text_units(v.rstrip(" ")))
    if name == "DATALENGTH":
        if v is None:
            return None
        return len(v.encode("utf-16-le", "surrogatepass")) if isinstance(v, str) else len(v) if isinstance(v, bytes) else 8
    if name in ("LOWER", "UPPER"):
        if v is None:
            return None
        v = str(v)
        return v.lower() if name == "LOWER" else v.upper()
    if name in ("LTRIM", "RTRIM", "TRIM"):
        if v is None:
            return None
        return {"LTRIM": v.lstrip(" "), "RTRIM": v.rstrip(" "), "TRIM": v.strip(" ")}[name]
    now = datetime.datetime.utcnow() + datetime.timedelta(seconds=s.server.clock_offset())
    if name in ("SYSUTCDATETIME", "GETUTCDATE"):
        return now if name == "SYSUTCDATETIME" else now.replace(microsecond=now.microsecond // 1000 * 1000)
    if name in ("SYSDATETIME", "GETDATE"):
        local = now  # the server's time zone is UTC
        return local if name == "SYSDATETIME" else local.replace(microsecond=local.microsecond // 1000 * 1000)
    if name == "SYSDATETIMEOFFSET":
        return now.replace(tzinfo=datetime.timezone.utc)
    if name == "NEWID":
        return uuid.uuid4()
    if name == "NULLIF":
        from .evaluate import compare
        return None if compare(args[0], args[1]) == 0 else args[0]
    if name == "ABS":
        return None if v is None else abs(v)
    if name == "SUBSTRING":
        if v is None or args[1] is None or args[2] is None:
            return None
        start, n = int(args[1]), int(args[2])
        begin = max(start, 1)
        end = start + n
        return v[begin - 1:max(end - 1, begin - 1)]
    if name == "LEFT":
        return None if v is None or args[1] is None else v[:int(args[1])]
    if name == "RIGHT":
        return None if v is None or args[1] is None else (v[-int(args[1]):] if int(args[1]) > 0 else "")
    if name == "REPLACE":
        if None in args:
            return None
        import re
        return re.sub(re.escape(args[1]), lambda m: args[2], args[0], flags=re.IGNORECASE)
    if name == "CHARINDEX":
        if args[0] is None or args[1] is None:
            return None
        start = int(args[2]) - 1 if len(args) > 2 and args[2] else 0
        return args[1].casefold().find(args[0].casefold(), max(start, 0)) + 1
    if name == "CONCAT":
        from .datatypes import convert
        return "".join("" if a is None else convert(a, SqlType("nvarchar", -1)) for a in args)
    raise errors.unsupported("function %s" % name)

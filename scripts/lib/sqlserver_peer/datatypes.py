"""SQL Server data types: their TYPE_INFO on the wire (MS-TDS 2.2.5.4-2.2.5.6),
their values in rows, and conversion between them."""
import datetime
import decimal
import re
import struct
import uuid

from . import errors
from .tds import DEFAULT_COLLATION

# Wire type codes, MS-TDS 2.2.5.4
NULLTYPE = 0x1F
INT1 = 0x30
BIT = 0x32
INT2 = 0x34
INT4 = 0x38
INT8 = 0x7F
FLT4 = 0x3B
FLT8 = 0x3E
DATETIME = 0x3D
SMALLDATETIME = 0x3A
MONEY = 0x3C
MONEY4 = 0x7A
GUID = 0x24
INTN = 0x26
DECIMALN = 0x6A
NUMERICN = 0x6C
BITN = 0x68
FLTN = 0x6D
MONEYN = 0x6E
DATETIMN = 0x6F
DATEN = 0x28
TIMEN = 0x29
DATETIME2N = 0x2A
DATETIMEOFFSETN = 0x2B
BIGVARBIN = 0xA5
BIGVARCHR = 0xA7
BIGBINARY = 0xAD
BIGCHAR = 0xAF
NVARCHAR = 0xE7
NCHAR = 0xEF

PLP_NULL = 0xFFFFFFFFFFFFFFFF
PLP_UNKNOWN = 0xFFFFFFFFFFFFFFFE
MAX = -1

EPOCH_DATE = datetime.date(1, 1, 1)
INT_RANGES = {"tinyint": (0, 255), "smallint": (-2**15, 2**15 - 1),
              "int": (-2**31, 2**31 - 1), "bigint": (-2**63, 2**63 - 1), "bit": (0, 1)}
# Data type precedence (docs: "Data type precedence (Transact-SQL)"), higher wins.
PRECEDENCE = ["varbinary", "varchar", "nvarchar", "uniqueidentifier", "bit", "tinyint",
              "smallint", "int", "bigint", "decimal", "float", "date", "datetime", "datetime2",
              "datetimeoffset"]


class SqlType:
    """A declared type: name ('int', 'nvarchar', ...), length (chars/bytes or MAX),
    precision/scale."""

    def __init__(self, name, length=None, precision=None, scale=None, collation=None):
        self.name = name
        self.length = length
        self.precision = precision
        self.scale = scale
        # A character column's COLLATE clause; None: the database's default (CI).
        self.collation = collation

    def __repr__(self):
        return "SqlType(%s)" % self.sql()

    def sql(self):
        if self.name in ("nvarchar", "varchar", "varbinary", "nchar", "char", "binary"):
            return "%s(%s)" % (self.name, "max" if self.length == MAX else self.length)
        if self.name == "decimal":
            return "decimal(%d,%d)" % (self.precision, self.scale)
        if self.name in ("datetime2", "datetimeoffset", "time"):
            return "%s(%d)" % (self.name, self.scale)
        return self.name

    def to_dict(self):
        d = {"name": self.name, "length": self.length, "precision": self.precision, "scale": self.scale}
        if self.collation:
            d["collation"] = self.collation
        return d

    @staticmethod
    def from_dict(d):
        return SqlType(d["name"], d.get("length"), d.get("precision"), d.get("scale"), d.get("collation"))

    def is_binary_collated(self):
        return self.is_string() and is_binary_collation(self.collation)

    def is_string(self):
        return self.name in ("nvarchar", "varchar", "nchar", "char")

    def is_int(self):
        return self.name in ("tinyint", "smallint", "int", "bigint", "bit")


_COLLATION = re.compile(r"^[A-Za-z][A-Za-z0-9]*(_[A-Za-z0-9]+)*$")


def check_collation(name):
    """The collation names SQL Server knows, as far as modelled: Windows and SQL collations
    with a case (_CI/_CS) or binary (_BIN/_BIN2) part, optionally _UTF8; error 448 otherwise."""
    parts = name.upper().split("_")
    if not _COLLATION.match(name) or not ({"CI", "CS", "BIN", "BIN2"} & set(parts)):
        raise errors.SqlError(448, "Invalid collation '%s'." % name, 16, 2)
    return name


def is_binary_collation(name):
    """Binary (_BIN, _BIN2) and, as an approximation documented in README.md, case-sensitive
    (_CS) collations compare code units here; everything else compares case-insensitively."""
    if not name:
        return False
    parts = set(name.upper().split("_"))
    return bool({"BIN", "BIN2", "CS"} & parts)


class BinaryStr(str):
    """A string read from a column with a binary collation: comparisons and ORDER BY take
    its code units, not the case-insensitive default."""
    __slots__ = ()


def type_for_value(v):
    """The type SQL Server gives a literal/derived value (used when no declared type is known)."""
    if v is None:
        return SqlType("int")
    if isinstance(v, bool):
        return SqlType("bit")
    if isinstance(v, int):
        return SqlType("int") if -2**31 <= v < 2**31 else SqlType("bigint")
    if isinstance(v, str):
        return SqlType("nvarchar", len(v) if 0 < len(v) <= 4000 else (MAX if v else 1))
    if isinstance(v, bytes):
        return SqlType("varbinary", len(v) if 0 < len(v) <= 8000 else (MAX if v else 1))
    if isinstance(v, decimal.Decimal):
        exp = -v.as_tuple().exponent if v.as_tuple().exponent < 0 else 0
        return SqlType("decimal", precision=38, scale=min(exp, 38))
    if isinstance(v, float):
        return SqlType("float")
    if isinstance(v, uuid.UUID):
        return SqlType("uniqueidentifier")
    if isinstance(v, datetime.datetime):
        if v.tzinfo is not None:
            return SqlType("datetimeoffset", scale=7)
        return SqlType("datetime2", scale=7)
    if isinstance(v, datetime.date):
        return SqlType("date")
    raise TypeError(type(v))


def type_label(v):
    t = type_for_value(v)
    return t.name


# ---------------------------------------------------------------- conversion

def _parse_datetime(s):
    s = s.strip()
    for fmt in ("%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%d %H:%M:%S",
                "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y%m%d"):
        try:
            frac = None
            if ".%f" in fmt and "." in s:
                head, frac = s.rsplit(".", 1)
                frac = frac[:6]
                return datetime.datetime.strptime(head + "." + frac, fmt)
            return datetime.datetime.strptime(s, fmt)
        except ValueError:
            continue
    return None


def to_code_page(s):
    """varchar holds code page 1252 text (SQL_Latin1_General_CP1): other characters
    become '?', one per UTF-16 code unit (so a non-BMP character becomes '??').
    Windows' best-fit mappings (e.g. a letter with a macron to its base letter) are not modelled."""
    out = []
    for ch in s:
        if ord(ch) > 0xFFFF:
            out.append("??")
        else:
            out.append(ch.encode("cp1252", "replace").decode("cp1252"))
    return "".join(out)


def convert(v, t, what="value"):
    """Implicit/explicit conversion of a value to type t, with SQL Server's errors."""
    if v is None:
        return None
    name = t.name
    if name in INT_RANGES:
        if isinstance(v, bool):
            v = int(v)
        if isinstance(v, str):
            s = v.strip()
            if name == "bit" and s.lower() in ("true", "false"):
                return 1 if s.lower() == "true" else 0
            try:
                n = int(s)
            except ValueError:
                raise errors.conversion(v, "nvarchar", name)
        elif isinstance(v, (int, decimal.Decimal, float)):
            n = int(v)
        else:
            raise _clash(v, t)
        if name == "bit":
            return 1 if n != 0 else 0
        lo, hi = INT_RANGES[name]
        if not lo <= n <= hi:
            raise errors.SqlError(8115, "Arithmetic overflow error converting expression to data type %s." % name,
                                  16, 1, errors.STATEMENT)
        return n
    if name in ("varchar", "char") and isinstance(v, str):
        return to_code_page(v)
    if name in ("nvarchar", "varchar", "nchar", "char"):
        if isinstance(v, str):
            return v
        if isinstance(v, bool):
            return str(int(v))
        if isinstance(v, (int, decimal.Decimal)):
            return str(v)
        if isinstance(v, uuid.UUID):
            return str(v).upper()
        if isinstance(v, datetime.datetime):
            return v.strftime("%Y-%m-%d %H:%M:%S.%f") + "0"
        if isinstance(v, bytes):
            return v.decode("latin-1")
        raise _clash(v, t)
    if name in ("varbinary", "binary"):
        if isinstance(v, bytes):
            return v
        if isinstance(v, str):
            return v.encode("latin-1", "replace") if name else v
        if isinstance(v, int):
            return v.to_bytes(4, "big", signed=True)
        raise _clash(v, t)
    if name == "uniqueidentifier":
        if isinstance(v, uuid.UUID):
            return v
        if isinstance(v, str):
            try:
                return uuid.UUID(v.strip().strip("{}"))
            except ValueError:
                raise errors.SqlError(8169, "Conversion failed when converting from a character string to uniqueidentifier.",
                                      16, 2, errors.BATCH)
        if isinstance(v, bytes) and len(v) == 16:
            return uuid.UUID(bytes_le=v)
        raise _clash(v, t)
    if name in ("datetime2", "datetime", "date", "datetimeoffset"):
        if isinstance(v, str):
            d = _parse_datetime(v)
            if d is None:
                raise errors.SqlError(241, "Conversion failed when converting date and/or time from character string.",
                                      16, 1, errors.BATCH)
            v = d
        if isinstance(v, datetime.datetime):
            if name == "datetimeoffset":
                return v if v.tzinfo else v.replace(tzinfo=datetime.timezone.utc)
            if v.tzinfo is not None and name != "datetimeoffset":
                v = v.replace(tzinfo=None)
            if name == "date":
                return v.date()
            if t.scale is not None and t.scale < 6:
                q = 10 ** (6 - t.scale)
                v = v.replace(microsecond=(v.microsecond // q) * q)
            return v
        if isinstance(v, datetime.date):
            return v if name == "date" else datetime.datetime(v.year, v.month, v.day)
        raise _clash(v, t)
    if name == "decimal":
        if isinstance(v, str):
            try:
                v = decimal.Decimal(v.strip())
            except decimal.InvalidOperation:
                raise errors.SqlError(8114, "Error converting data type nvarchar to numeric.", 16, 5, errors.BATCH)
        if isinstance(v, (int, float, decimal.Decimal)) and not isinstance(v, bool):
            d = decimal.Decimal(v).quantize(decimal.Decimal(1).scaleb(-t.scale), rounding=decimal.ROUND_HALF_UP)
            if len(d.as_tuple().digits) > t.precision and d != 0:
                raise errors.SqlError(8115, "Arithmetic overflow error converting numeric to data type numeric.",
                                      16, 8, errors.STATEMENT)
            return d
        raise _clash(v, t)
    if name == "float":
        return float(v)
    raise errors.unsupported("type %s" % name)


def _clash(v, t):
    return errors.SqlError(206, "Operand type clash: %s is incompatible with %s" % (type_label(v), t.name),
                           16, 2, errors.BATCH)


# ---------------------------------------------------------------- storage (sqlite)

def to_storage(v, t):
    if v is None:
        return None
    if t.name == "uniqueidentifier":
        return str(v).upper()
    if t.name in ("datetime2", "datetime", "datetimeoffset"):
        return v.isoformat(sep=" ")
    if t.name == "date":
        return v.isoformat()
    if t.name == "decimal":
        return str(v)
    return v


def from_storage(v, t):
    if v is None:
        return None
    if isinstance(v, str) and t.collation and t.is_binary_collated():
        return BinaryStr(v)
    if t.name == "uniqueidentifier":
        return uuid.UUID(v)
    if t.name in ("datetime2", "datetime", "datetimeoffset"):
        return datetime.datetime.fromisoformat(v)
    if t.name == "date":
        return datetime.date.fromisoformat(v)
    if t.name == "decimal":
        return decimal.Decimal(v)
    return v


# ---------------------------------------------------------------- writing results

def _time_bytes(scale):
    return 3 if scale <= 2 else (4 if scale <= 4 else 5)


def type_info(t):
    """TYPE_INFO for COLMETADATA (MS-TDS 2.2.5.6)."""
    n = t.name
    if n in ("tinyint", "smallint", "int", "bigint"):
        return bytes([INTN, {"tinyint": 1, "smallint": 2, "int": 4, "bigint": 8}[n]])
    if n == "bit":
        return bytes([BITN, 1])
    if n == "float":
        return bytes([FLTN, 8])
    if n in ("nvarchar", "nchar"):
        size = 0xFFFF if t.length == MAX else min(t.length * 2, 8000)
        return bytes([NVARCHAR if n == "nvarchar" else NCHAR]) + struct.pack("<H", size) + DEFAULT_COLLATION
    if n in ("varchar", "char"):
        size = 0xFFFF if t.length == MAX else t.length
        return bytes([BIGVARCHR]) + struct.pack("<H", size) + DEFAULT_COLLATION
    if n in ("varbinary", "binary"):
        size = 0xFFFF if t.length == MAX else t.length
        return bytes([BIGVARBIN]) + struct.pack("<H", size)
    if n == "uniqueidentifier":
        return bytes([GUID, 16])
    if n in ("datetime2", "datetime"):
        return bytes([DATETIME2N, 7 if t.scale is None else t.scale])
    if n == "datetimeoffset":
        return bytes([DATETIMEOFFSETN, 7 if t.scale is None else t.scale])
    if n == "date":
        return bytes([DATEN])
    if n == "decimal":
        return bytes([DECIMALN, _dec_size(t.precision), t.precision, t.scale])
    raise errors.unsupported("result type %s" % n)


def _dec_size(p):
    return 5 if p <= 9 else (9 if p <= 19 else (13 if p <= 28 else 17))


def _plp(raw):
    if raw is None:
        return struct.pack("<Q", PLP_NULL)
    out = bytearray(struct.pack("<Q", len(raw)))
    for i in range(0, len(raw), 8000):
        chunk = raw[i:i + 8000]
        out += struct.pack("<I", len(chunk)) + chunk
    out += struct.pack("<I", 0)
    return bytes(out)


def _dt_parts(v, scale):
    midnight = v.replace(hour=0, minute=0, second=0, microsecond=0)
    micro = (v - midnight) // datetime.timedelta(microseconds=1)
    ticks = micro * 10 // (10 ** (7 - scale)) if scale >= 1 else micro // 10 ** (6 - scale)
    if scale >= 6:
        ticks = micro * 10 ** (scale - 6)
    else:
        ticks = micro // 10 ** (6 - scale)
    days = (v.date() - EPOCH_DATE).days
    return ticks.to_bytes(_time_bytes(scale), "little") + days.to_bytes(3, "little")


def encode_value(v, t):
    """A column value in a ROW token."""
    n = t.name
    if n in ("nvarchar", "nchar", "varchar", "char", "varbinary", "binary"):
        if v is None:
            raw = None
        elif n in ("nvarchar", "nchar"):
            raw = v.encode("utf-16-le", "surrogatepass")
        elif n in ("varchar", "char"):
            raw = v.encode("cp1252", "replace")
        else:
            raw = v
        if t.length == MAX:
            return _plp(raw)
        if raw is None:
            return b"\xff\xff"
        return struct.pack("<H", len(raw)) + raw
    if v is None:
        return b"\x00"
    if n in ("tinyint", "smallint", "int", "bigint"):
        size = {"tinyint": 1, "smallint": 2, "int": 4, "bigint": 8}[n]
        return bytes([size]) + int(v).to_bytes(size, "little", signed=(n != "tinyint"))
    if n == "bit":
        return b"\x01" + bytes([1 if v else 0])
    if n == "float":
        return b"\x08" + struct.pack("<d", v)
    if n == "uniqueidentifier":
        return b"\x10" + v.bytes_le
    if n in ("datetime2", "datetime"):
        scale = 7 if t.scale is None else t.scale
        b = _dt_parts(v, scale)
        return bytes([len(b)]) + b
    if n == "datetimeoffset":
        scale = 7 if t.scale is None else t.scale
        off = v.utcoffset() or datetime.timedelta(0)
        utc = (v - off).replace(tzinfo=None)
        b = _dt_parts(utc, scale) + struct.pack("<h", int(off.total_seconds() // 60))
        return bytes([len(b)]) + b
    if n == "date":
        return b"\x03" + (v - EPOCH_DATE).days.to_bytes(3, "little")
    if n == "decimal":
        size = _dec_size(t.precision)
        scaled = int(v.scaleb(t.scale).to_integral_value())
        return bytes([size, 1 if scaled >= 0 else 0]) + abs(scaled).to_bytes(size - 1, "little")
    raise errors.unsupported("result type %s" % n)


# ---------------------------------------------------------------- reading RPC parameters

class Reader:
    def __init__(self, data, pos=0):
        self.data = data
        self.pos = pos

    def take(self, n):
        if self.pos + n > len(self.data):
            raise errors.SqlError(8009, "The incoming tabular data stream (TDS) remote procedure call (RPC) protocol stream is incorrect.", 16, 1)
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b

    def u8(self):
        return self.take(1)[0]

    def u16(self):
        return struct.unpack("<H", self.take(2))[0]

    def u32(self):
        return struct.unpack("<I", self.take(4))[0]

    def u64(self):
        return struct.unpack("<Q", self.take(8))[0]

    def b_varchar(self):
        n = self.u8()
        return self.take(n * 2).decode("utf-16-le", "surrogatepass")

    def us_varchar(self):
        n = self.u16()
        return self.take(n * 2).decode("utf-16-le", "surrogatepass")

    def at_end(self):
        return self.pos >= len(self.data)


def read_type_info(r):
    """Returns (wire_code, info dict)."""
    code = r.u8()
    info = {}
    if code in (INT1, BIT, INT2, INT4, INT8, FLT4, FLT8, DATETIME, SMALLDATETIME, MONEY, MONEY4, NULLTYPE):
        return code, info
    if code in (INTN, BITN, FLTN, MONEYN, DATETIMN, GUID):
        info["size"] = r.u8()
    elif code in (DECIMALN, NUMERICN):
        info["size"] = r.u8()
        info["precision"] = r.u8()
        info["scale"] = r.u8()
    elif code == DATEN:
        pass
    elif code in (TIMEN, DATETIME2N, DATETIMEOFFSETN):
        info["scale"] = r.u8()
    elif code in (BIGVARBIN, BIGBINARY):
        info["size"] = r.u16()
    elif code in (BIGVARCHR, BIGCHAR, NVARCHAR, NCHAR):
        info["size"] = r.u16()
        info["collation"] = r.take(5)
    else:
        raise errors.unsupported("parameter TYPE_INFO 0x%02X" % code)
    return code, info


def _read_plp(r):
    total = r.u64()
    if total == PLP_NULL:
        return None
    out = bytearray()
    while True:
        n = r.u32()
        if n == 0:
            break
        out += r.take(n)
    return bytes(out)


def _read_time(raw, scale):
    ticks = int.from_bytes(raw, "little")
    micro = ticks * 10 ** (6 - scale) if scale <= 6 else ticks // 10 ** (scale - 6)
    return datetime.timedelta(microseconds=micro)


def read_value(r, code, info):
    """A parameter value plus its declared SqlType."""
    fixed = {INT1: ("tinyint", 1), INT2: ("smallint", 2), INT4: ("int", 4), INT8: ("bigint", 8), BIT: ("bit", 1)}
    if code == NULLTYPE:
        return None, SqlType("int")
    if code in fixed:
        name, size = fixed[code]
        return int.from_bytes(r.take(size), "little", signed=(code != INT1)), SqlType(name)
    if code == FLT8:
        return struct.unpack("<d", r.take(8))[0], SqlType("float")
    if code == FLT4:
        return struct.unpack("<f", r.take(4))[0], SqlType("float")
    if code == INTN:
        size = info["size"]
        t = SqlType({1: "tinyint", 2: "smallint", 4: "int", 8: "bigint"}[size])
        n = r.u8()
        if n == 0:
            return None, t
        return int.from_bytes(r.take(n), "little", signed=(n != 1)), t
    if code == BITN:
        n = r.u8()
        return (None if n == 0 else (1 if r.take(n)[0] else 0)), SqlType("bit")
    if code == FLTN:
        n = r.u8()
        if n == 0:
            return None, SqlType("float")
        raw = r.take(n)
        return (struct.unpack("<d", raw)[0] if n == 8 else struct.unpack("<f", raw)[0]), SqlType("float")
    if code == GUID:
        n = r.u8()
        return (None if n == 0 else uuid.UUID(bytes_le=r.take(16))), SqlType("uniqueidentifier")
    if code in (DECIMALN, NUMERICN):
        t = SqlType("decimal", precision=info["precision"], scale=info["scale"])
        n = r.u8()
        if n == 0:
            return None, t
        raw = r.take(n)
        val = int.from_bytes(raw[1:], "little")
        d = decimal.Decimal(val).scaleb(-info["scale"])
        return (d if raw[0] == 1 else -d), t
    if code == DATEN:
        n = r.u8()
        if n == 0:
            return None, SqlType("date")
        return EPOCH_DATE + datetime.timedelta(days=int.from_bytes(r.take(3), "little")), SqlType("date")
    if code in (DATETIME2N, DATETIMEOFFSETN, TIMEN):
        scale = info["scale"]
        name = {DATETIME2N: "datetime2", DATETIMEOFFSETN: "datetimeoffset", TIMEN: "time"}[code]
        t = SqlType(name, scale=scale)
        n = r.u8()
        if n == 0:
            return None, t
        raw = r.take(n)
        tb = _time_bytes(scale)
        tod = _read_time(raw[:tb], scale)
        if code == TIMEN:
            raise errors.unsupported("time parameters")
        days = int.from_bytes(raw[tb:tb + 3], "little")
        v = datetime.datetime(1, 1, 1) + datetime.timedelta(days=days) + tod
        if code == DATETIMEOFFSETN:
            off = struct.unpack("<h", raw[tb + 3:tb + 5])[0]
            tz = datetime.timezone(datetime.timedelta(minutes=off))
            v = (v.replace(tzinfo=datetime.timezone.utc)).astimezone(tz)
        return v, t
    if code == DATETIMN or code in (DATETIME, SMALLDATETIME):
        n = info.get("size", 8 if code == DATETIME else 4) if code != DATETIMN else r.u8()
        t = SqlType("datetime2", scale=3)
        if n == 0:
            return None, t
        raw = r.take(n)
        if n == 8:
            days, ticks = struct.unpack("<iI", raw)
            v = datetime.datetime(1900, 1, 1) + datetime.timedelta(days=days, milliseconds=ticks * 10 / 3)
        else:
            days, mins = struct.unpack("<HH", raw)
            v = datetime.datetime(1900, 1, 1) + datetime.timedelta(days=days, minutes=mins)
        return v, t
    if code in (BIGVARBIN, BIGBINARY, BIGVARCHR, BIGCHAR, NVARCHAR, NCHAR):
        size = info["size"]
        is_max = size == 0xFFFF
        if is_max:
            raw = _read_plp(r)
        else:
            n = r.u16()
            raw = None if n == 0xFFFF else r.take(n)
        if code in (NVARCHAR, NCHAR):
            t = SqlType("nvarchar", MAX if is_max else max(size // 2, 1))
            return (None if raw is None else raw.decode("utf-16-le", "surrogatepass")), t
        if code in (BIGVARCHR, BIGCHAR):
            t = SqlType("varchar", MAX if is_max else max(size, 1))
            return (None if raw is None else raw.decode("cp1252", "replace")), t
        return raw, SqlType("varbinary", MAX if is_max else max(size, 1))
    if code == MONEYN or code in (MONEY, MONEY4):
        raise errors.unsupported("money parameters")
    raise errors.unsupported("parameter type 0x%02X" % code)

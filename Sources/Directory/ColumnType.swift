/// What kind of value a column holds, as far as converting SCIM values into it is concerned.
///
/// Built from the type text a database reports for a column (`information_schema`
/// `COLUMN_TYPE`/`DATA_TYPE`, SQLite's declared type) by ``init(sqlType:holdsBoolean:)``.
/// The classes are deliberately coarse: they decide which ``SQLValue`` case a SCIM value
/// becomes and which checks run first (length, sign, format), nothing more.
public enum ColumnType: Sendable, Hashable {
    /// An integer column; `unsigned` rejects negative values before the database does.
    case integer(unsigned: Bool)
    /// A column that stores a boolean, and how it spells one.
    case boolean(BooleanStyle)
    /// An exact number (DECIMAL, NUMERIC, MONEY); values travel as decimal text.
    case decimal
    /// An approximate number (FLOAT, DOUBLE, REAL).
    case double
    /// Character data with its declared maximum length in characters, when the type gives one.
    case text(maxLength: Int?)
    /// A calendar date without time.
    case date
    /// A wall-clock date and time without zone (MySQL DATETIME, PostgreSQL `timestamp without
    /// time zone`, SQL Server `datetime2`); read and written in the layout's ``WallClockZone``.
    case dateTime
    /// An instant (MySQL TIMESTAMP, PostgreSQL `timestamp with time zone`, SQL Server
    /// `datetimeoffset`), exchanged in UTC.
    case timestamp
    /// A UUID (PostgreSQL `uuid`, SQL Server `uniqueidentifier`), written as its canonical text.
    case uuid
    /// A JSON document (MySQL/PostgreSQL `json`, PostgreSQL `jsonb`).
    case json
    /// Binary data (BLOB, BINARY, VARBINARY, `bytea`).
    case bytes
    /// A type scimsync does not know; values pass in their natural SQL form and the database
    /// converts them or refuses.
    case unknown(String)
}

/// How a column spells true and false.
public enum BooleanStyle: Sendable, Hashable, CaseIterable {
    /// A real boolean type: PostgreSQL `boolean`, SQL Server `bit`, declared `BOOLEAN`.
    case native
    /// MySQL's BOOL, which is TINYINT(1) (MySQL 8.4 manual §13.1.1, "BOOL, BOOLEAN: These
    /// types are synonyms for TINYINT(1). A value of zero is considered false. Nonzero values
    /// are considered true."); also any integer column that the layout maps to a boolean
    /// attribute. scimsync writes 0 or 1 and reads any non-zero value as true.
    case tinyInt
    /// MySQL BIT(1).
    case bit
    /// CHAR(1) holding `'Y'` or `'N'`; chosen only when the layout maps a boolean attribute
    /// to the column (a CHAR(1) on its own is just text).
    case yesNo
}

extension ColumnType {
    /// Classifies a column type as the database reports it, e.g. `tinyint(1)`, `int(10)
    /// unsigned`, `character varying(255)`, `timestamp with time zone`, `nvarchar(max)`, or
    /// SQLite's `INTEGER`/`TEXT`/`REAL`/`NUMERIC`/`BLOB`.
    ///
    /// - Parameter holdsBoolean: whether the layout maps a boolean attribute (such as `active`)
    ///   to the column. It turns a one-character text column into ``BooleanStyle/yesNo`` and
    ///   an integer column into ``BooleanStyle/tinyInt``; other types are unaffected.
    ///
    /// A bare `timestamp` is MySQL's TIMESTAMP (an instant): PostgreSQL reports its types in
    /// full (`timestamp without time zone`), and SQL Server's `timestamp` (a row version) must
    /// be reported as `rowversion`.
    public init(sqlType: String, holdsBoolean: Bool = false) {
        let parsed = ParsedSQLType(sqlType)
        let base = Self.classify(parsed, original: sqlType)
        guard holdsBoolean else {
            self = base
            return
        }
        switch base {
        case .text(maxLength: 1):
            self = .boolean(.yesNo)
        case .integer:
            self = .boolean(.tinyInt)
        case .boolean, .decimal, .double, .text, .date, .dateTime, .timestamp, .uuid, .json, .bytes, .unknown:
            self = base
        }
    }

    private static func classify(_ type: ParsedSQLType, original: String) -> ColumnType {
        let name = type.name
        if name == "tinyint" && type.arguments == [1] { return .boolean(.tinyInt) }
        if name == "bit" {
            switch type.arguments {
            // SQL Server reports `bit` without a width: its boolean type. MySQL always
            // reports a width, and BIT(1) is its one-bit field.
            case []: return .boolean(.native)
            case [1]: return .boolean(.bit)
            default: return .unknown(original)
            }
        }
        if let kind = Self.namedTypes[name] {
            switch kind {
            case .integer: return .integer(unsigned: type.unsigned)
            case .text: return .text(maxLength: type.arguments.first)
            case .unboundedText: return .text(maxLength: nil)
            case .fixed(let fixed): return fixed
            }
        }
        return .unknown(original)
    }

    private enum NameKind {
        case integer
        /// Length in the first argument, if any.
        case text
        /// No length limit worth checking (TEXT, CLOB, ENUM, ...).
        case unboundedText
        case fixed(ColumnType)
    }

    /// Type names (lowercased, without arguments) and their class. One table for every
    /// database: the names rarely collide, and where they do the comment says who wins.
    private static let namedTypes: [String: NameKind] = [
        // Integers (MySQL, PostgreSQL, SQL Server, SQLite's INTEGER affinity). MySQL's YEAR is
        // a small integer too.
        "tinyint": .integer, "smallint": .integer, "mediumint": .integer, "int": .integer,
        "integer": .integer, "bigint": .integer, "int2": .integer, "int4": .integer, "int8": .integer,
        "smallserial": .integer, "serial": .integer, "bigserial": .integer, "year": .integer,
        // Booleans.
        "boolean": .fixed(.boolean(.native)), "bool": .fixed(.boolean(.native)),
        // Exact numbers; SQLite's NUMERIC affinity lands here.
        "decimal": .fixed(.decimal), "numeric": .fixed(.decimal), "dec": .fixed(.decimal),
        "fixed": .fixed(.decimal), "money": .fixed(.decimal), "smallmoney": .fixed(.decimal),
        // Approximate numbers; SQLite's REAL affinity lands here.
        "float": .fixed(.double), "double": .fixed(.double), "double precision": .fixed(.double),
        "real": .fixed(.double), "float4": .fixed(.double), "float8": .fixed(.double),
        // Character data with a length argument.
        "char": .text, "character": .text, "varchar": .text, "character varying": .text,
        "nchar": .text, "nvarchar": .text, "national char": .text, "national character": .text,
        "national varchar": .text, "national character varying": .text, "varchar2": .text,
        "nvarchar2": .text, "bpchar": .text,
        // Character data without a useful limit (MySQL TEXT limits bytes, not characters).
        "text": .unboundedText, "tinytext": .unboundedText, "mediumtext": .unboundedText,
        "longtext": .unboundedText, "ntext": .unboundedText, "clob": .unboundedText,
        "citext": .unboundedText, "enum": .unboundedText, "set": .unboundedText,
        // Dates and times.
        "date": .fixed(.date),
        "datetime": .fixed(.dateTime), "datetime2": .fixed(.dateTime), "smalldatetime": .fixed(.dateTime),
        "timestamp without time zone": .fixed(.dateTime),
        // MySQL TIMESTAMP is stored in UTC and converted from and to the session zone
        // (MySQL 8.4 manual §13.2.2), so it is an instant.
        "timestamp": .fixed(.timestamp), "timestamp with time zone": .fixed(.timestamp),
        "timestamptz": .fixed(.timestamp), "datetimeoffset": .fixed(.timestamp),
        // Others.
        "uuid": .fixed(.uuid), "uniqueidentifier": .fixed(.uuid),
        "json": .fixed(.json), "jsonb": .fixed(.json),
        "blob": .fixed(.bytes), "tinyblob": .fixed(.bytes), "mediumblob": .fixed(.bytes),
        "longblob": .fixed(.bytes), "binary": .fixed(.bytes), "varbinary": .fixed(.bytes),
        "bytea": .fixed(.bytes), "image": .fixed(.bytes), "rowversion": .fixed(.bytes),
    ]
}

/// A column type split into its name, numeric arguments and the MySQL `unsigned` flag:
/// `int(10) unsigned zerofill` → (`int`, [10], unsigned), `timestamp(6) with time zone` →
/// (`timestamp with time zone`, [6], signed), `nvarchar(max)` → (`nvarchar`, [], signed).
struct ParsedSQLType: Hashable {
    var name: String
    var arguments: [Int]
    var unsigned: Bool

    init(_ text: String) {
        var words: [String] = []
        var arguments: [Int] = []
        var current = ""
        var inParentheses = false
        var argument = ""
        for character in text.lowercased() {
            if inParentheses {
                if character == ")" || character == "," {
                    // `max` and other non-numbers (ENUM members) are not lengths.
                    if let n = Int(argument.filter { !$0.isWhitespace }) { arguments.append(n) }
                    argument = ""
                    if character == ")" { inParentheses = false }
                } else {
                    argument.append(character)
                }
            } else if character == "(" {
                inParentheses = true
                if !current.isEmpty { words.append(current) }
                current = ""
            } else if character.isWhitespace {
                if !current.isEmpty { words.append(current) }
                current = ""
            } else {
                current.append(character)
            }
        }
        if !current.isEmpty { words.append(current) }
        self.unsigned = words.contains("unsigned")
        self.name = words.filter { $0 != "unsigned" && $0 != "zerofill" && $0 != "signed" }.joined(separator: " ")
        self.arguments = arguments
    }
}

extension ColumnType {
    /// Whether the class is an integer type (which sorts numerically).
    public var isInteger: Bool {
        if case .integer = self { return true }
        return false
    }
}

/// One column of a table as a TABLE_MAP event describes it, with what the optional metadata
/// adds (`binlog_row_metadata=FULL`: names, signedness, charsets, ENUM/SET members).
public struct BinlogColumn: Sendable, Hashable {
    /// The column's name, when the TABLE_MAP carried it.
    public var name: String?
    /// The type code in the TABLE_MAP (`STRING` for CHAR, BINARY, ENUM and SET).
    public var wireType: UInt8
    /// The real type: ENUM and SET are unpacked from `STRING` metadata; nil for unknown codes.
    public var type: ColumnType?
    /// The raw TABLE_MAP metadata of the column (0 to 2 bytes), in the order it was stored.
    public var metadata: [UInt8] = []
    public var isNullable: Bool
    /// From the `SIGNEDNESS` optional metadata; false (signed) when absent.
    public var isUnsigned: Bool = false
    /// The collation id, for character, ENUM and SET columns with charset metadata.
    public var collationID: Int?
    /// ENUM or SET members, in definition order.
    public var members: [String]?
    /// Part of the primary key (`SIMPLE_PRIMARY_KEY`/`PRIMARY_KEY_WITH_PREFIX` metadata).
    public var isPrimaryKey: Bool = false

    /// DECIMAL precision, or the maximum byte length of CHAR/VARCHAR/BINARY/VARBINARY.
    public var length: Int = 0
    /// DECIMAL scale, or the fractional-second digits of TIME/DATETIME/TIMESTAMP.
    public var scale: Int = 0
    /// A MariaDB JSON column (a LONGTEXT with a `json_valid` check): its text is a JSON
    /// document. Known only from the catalog (``TableMapEvent/describing(_:)``).
    public var holdsJSONText: Bool = false

    public init(wireType: UInt8, isNullable: Bool) {
        self.wireType = wireType
        self.type = ColumnType(rawValue: wireType)
        self.isNullable = isNullable
    }

    /// The encoding of the column's text, from its collation.
    public var textEncoding: TextEncoding {
        collationID.map(TextEncoding.init(collationID:)) ?? .unspecified
    }

    /// Whether TABLE_MAP charset metadata counts this column among the "character" columns.
    /// MySQL `rows_event.cpp`/MariaDB `log_event_client.cc`, `is_character_type`: CHAR,
    /// VARCHAR, BLOB/TEXT (by real type, so not ENUM/SET); MariaDB counts GEOMETRY too
    /// (its geometry is a BLOB with the binary charset), MySQL counts VECTOR.
    func isCharacter(flavor: ServerFlavor) -> Bool {
        switch type {
        case .string, .varString, .varchar, .blob, .tinyBlob, .mediumBlob, .longBlob: true
        case .geometry: flavor == .mariaDB
        case .vector: flavor == .mysql
        default: false
        }
    }

    /// MySQL `is_numeric_type`: the columns the `SIGNEDNESS` bitmap has a bit for.
    var isNumeric: Bool {
        switch type {
        case .tiny, .short, .int24, .long, .longLong, .newDecimal, .float, .double: true
        default: false
        }
    }
}

/// What the row loop needs of a table, computed once per TABLE_MAP: one plain enum per column
/// (no reference-counted payloads, so reading it costs no retain/release) and the ENUM/SET
/// members, only touched for those columns.
struct RowDecodingPlan: Sendable, Hashable {
    var decodings: [ColumnDecoding]
    var members: [[String]?]
    /// Each column's ``ColumnDecoding/storedWidth``: counting an event's rows walks every value
    /// of every image, and reading a number there costs a fraction of switching on a decoding
    /// and working its size out each time.
    var widths: [Int]

    init(decodings: [ColumnDecoding], members: [[String]?]) {
        self.decodings = decodings
        self.members = members
        widths = decodings.map(\.storedWidth)
    }
}

/// What reading one value of a column takes, precomputed from the TABLE_MAP so the row loop only
/// switches on this.
enum ColumnDecoding: Sendable, Hashable {
    case signed(bytes: Int)
    case unsigned(bytes: Int)
    case float
    case double
    case decimal(precision: Int, scale: Int)
    case bit(bits: Int)
    case year
    case date
    case time
    case time2(fsp: Int)
    case dateTime
    case dateTime2(fsp: Int)
    case timestamp
    case timestamp2(fsp: Int)
    /// VARCHAR, VAR_STRING and CHAR/BINARY: a 1- or 2-byte length then the bytes.
    /// `padBinaryTo` restores the trailing zero bytes BINARY(n) loses in the binlog.
    case string(lengthBytes: Int, encoding: TextEncoding, padBinaryTo: Int?)
    /// BLOB/TEXT: a 1- to 4-byte length then the bytes.
    case blob(lengthBytes: Int, encoding: TextEncoding)
    /// MySQL binary JSON behind a 1- to 4-byte length.
    case json(lengthBytes: Int)
    /// GEOMETRY (WKB with a SRID prefix) behind a 1- to 4-byte length, kept as bytes.
    case geometry(lengthBytes: Int)
    case enumeration(bytes: Int)
    case set(bytes: Int)
    case null
    case unsupported(typeCode: UInt8)
}

extension ColumnDecoding {
    /// What one stored value of the column takes in a row image: its size in bytes when it is
    /// fixed (zero or more), `-n` when it is n bytes of length (1 to 4) and then that many
    /// bytes, or ``unsupportedWidth`` for a type that cannot be read.
    var storedWidth: Int {
        switch self {
        case .signed(let bytes), .unsigned(let bytes), .enumeration(let bytes), .set(let bytes): bytes
        case .float: 4
        case .double: 8
        case .decimal(let precision, let scale): DecimalValue.size(precision: precision, scale: scale)
        case .bit(let bits): (bits + 7) / 8
        case .year: 1
        case .date, .time: 3
        case .time2(let fsp): 3 + TemporalValue.fractionBytes(fsp)
        case .dateTime: 8
        case .dateTime2(let fsp): 5 + TemporalValue.fractionBytes(fsp)
        case .timestamp: 4
        case .timestamp2(let fsp): 4 + TemporalValue.fractionBytes(fsp)
        case .string(let lengthBytes, _, _), .blob(let lengthBytes, _), .json(let lengthBytes),
            .geometry(let lengthBytes):
            -lengthBytes
        case .null: 0
        case .unsupported: Self.unsupportedWidth
        }
    }

    /// The ``storedWidth`` of a column type the decoder does not read.
    static let unsupportedWidth = Int.min
}

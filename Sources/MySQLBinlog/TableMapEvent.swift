/// TABLE_MAP_EVENT (type 19): binds a table id to a table's name and column types; every rows
/// event refers to its table by that id.
///
/// Post-header: table_id(6; 4 when the post-header is 6 bytes long) flags(2). Body: db name
/// (length byte, bytes, NUL), table name (same), column count (packed), one type byte per
/// column, metadata block (packed length), null bitmap, then optional metadata fields
/// (MySQL 8.0.1+/MariaDB 10.5+, `binlog_row_metadata`), see ``TableMapOptionalMetadata``.
public struct TableMapEvent: Sendable, Hashable {
    public var header: BinlogEventHeader
    public var tableID: UInt64
    public var flags: UInt16
    public var schema: String
    public var table: String
    /// The columns, in table order. Read-only: the row decoding plan is derived from them.
    public internal(set) var columns: [BinlogColumn]
    /// Indexes of the primary key columns, when the optional metadata named them.
    public var primaryKey: [Int]
    /// True when the TABLE_MAP carried column names (`binlog_row_metadata=FULL`).
    public var hasColumnNames: Bool
    /// True when the TABLE_MAP carried the `SIGNEDNESS` field.
    public internal(set) var hasSignedness: Bool = false
    /// How to read each column's values, fixed once when the event is parsed.
    var plan = RowDecodingPlan(decodings: [], members: [])

    /// `schema.table`.
    public var qualifiedName: String { "\(schema).\(table)" }

    /// Column names, or `@1`, `@2`, … (as `mysqlbinlog` prints them) where unknown.
    public var columnNames: [String] {
        columns.enumerated().map { index, column in column.name ?? "@\(index + 1)" }
    }

    /// True when `other` maps the same id to the same table and columns: everything but the
    /// header (timestamp, position) is equal. Cheap for the repeats the decoder hands out,
    /// whose column arrays share storage.
    func describesSameTable(as other: TableMapEvent) -> Bool {
        tableID == other.tableID && flags == other.flags && schema == other.schema && table == other.table
            && hasColumnNames == other.hasColumnNames && hasSignedness == other.hasSignedness
            && primaryKey == other.primaryKey && columns == other.columns && plan == other.plan
    }

    /// Reads just the table id of a TABLE_MAP body (to find a parsed copy before parsing).
    static func tableID(body reader: ByteReader, format: FormatDescriptionEvent) throws -> UInt64 {
        var reader = reader
        return try reader.readUInt(byteCount: format.postHeaderLength(of: .tableMap) == 6 ? 4 : 6)
    }

    static func decode(header: BinlogEventHeader, body reader: inout ByteReader, format: FormatDescriptionEvent) throws -> TableMapEvent {
        let postHeader = format.postHeaderLength(of: .tableMap) ?? 8
        let tableID = try reader.readUInt(byteCount: postHeader == 6 ? 4 : 6)
        let flags = try reader.readUInt16()
        try reader.skip(max(0, postHeader - (postHeader == 6 ? 6 : 8)))

        let schema = try reader.readString(Int(try reader.readUInt8()))
        try reader.skip(1)
        let table = try reader.readString(Int(try reader.readUInt8()))
        try reader.skip(1)

        let columnCount = try reader.readLengthEncodedCount()
        let types = try reader.readBytes(columnCount)
        let metadataLength = try reader.readLengthEncodedCount()
        var metadata = ByteReader(try reader.readBytes(metadataLength))
        let nullBits = try reader.readBytes((columnCount + 7) / 8)

        var columns: [BinlogColumn] = []
        columns.reserveCapacity(columnCount)
        for index in 0..<columnCount {
            let nullable = nullBits[index / 8] & (1 << (index % 8)) != 0
            var column = BinlogColumn(wireType: types[index], isNullable: nullable)
            guard let type = column.type else {
                throw BinlogDecodeError.Reason.unsupportedColumnType(column: index, typeCode: types[index])
            }
            column.metadata = Array(try metadata.readBytes(type.metadataLength))
            column.unpackStringType()
            columns.append(column)
        }
        guard metadata.isAtEnd else {
            throw BinlogDecodeError.Reason.malformed("TABLE_MAP metadata block is longer than its columns need")
        }

        var event = TableMapEvent(
            header: header, tableID: tableID, flags: flags, schema: schema, table: table, columns: columns,
            primaryKey: [], hasColumnNames: false
        )
        try TableMapOptionalMetadata.apply(&reader, to: &event, flavor: format.flavor)
        event.plan = RowDecodingPlan(
            decodings: event.columns.map { $0.makeDecoding() }, members: event.columns.map(\.members)
        )
        return event
    }
}

extension BinlogColumn {
    /// CHAR, BINARY, ENUM and SET all travel as `STRING`; their real type and length are packed
    /// into the two metadata bytes (`Field_string::do_save_field_metadata`):
    /// byte 0 = real_type XOR ((length & 0x300) >> 4), byte 1 = length & 0xFF. ENUM and SET store
    /// real_type and their pack length unchanged.
    mutating func unpackStringType() {
        switch type {
        case .string, .enumeration, .set:
            let byte0 = metadata[0]
            let byte1 = metadata[1]
            if byte0 & 0x30 != 0x30 {
                type = ColumnType(rawValue: byte0 | 0x30)
                length = Int(byte1) | (Int((byte0 & 0x30) ^ 0x30) << 4)
            } else {
                type = ColumnType(rawValue: byte0)
                length = Int(byte1)
            }
        case .varchar, .varString:
            length = Int(metadata[0]) | Int(metadata[1]) << 8
        case .newDecimal:
            length = Int(metadata[0])
            scale = Int(metadata[1])
        case .time2, .dateTime2, .timestamp2:
            scale = Int(metadata[0])
        case .bit:
            length = Int(metadata[1]) * 8 + Int(metadata[0])
        default:
            break
        }
    }

    func makeDecoding() -> ColumnDecoding {
        guard let type else { return .unsupported(typeCode: wireType) }
        switch type {
        case .tiny: return isUnsigned ? .unsigned(bytes: 1) : .signed(bytes: 1)
        case .short: return isUnsigned ? .unsigned(bytes: 2) : .signed(bytes: 2)
        case .int24: return isUnsigned ? .unsigned(bytes: 3) : .signed(bytes: 3)
        case .long: return isUnsigned ? .unsigned(bytes: 4) : .signed(bytes: 4)
        case .longLong: return isUnsigned ? .unsigned(bytes: 8) : .signed(bytes: 8)
        case .float: return .float
        case .double: return .double
        case .newDecimal:
            guard (1...65).contains(length), scale <= 30, scale <= length else { return .unsupported(typeCode: wireType) }
            return .decimal(precision: length, scale: scale)
        case .bit:
            guard (1...64).contains(length) else { return .unsupported(typeCode: wireType) }
            return .bit(bits: length)
        case .year: return .year
        case .date, .newDate: return .date
        case .time: return .time
        case .time2: return scale <= 6 ? .time2(fsp: scale) : .unsupported(typeCode: wireType)
        case .dateTime: return .dateTime
        case .dateTime2: return scale <= 6 ? .dateTime2(fsp: scale) : .unsupported(typeCode: wireType)
        case .timestamp: return .timestamp
        case .timestamp2: return scale <= 6 ? .timestamp2(fsp: scale) : .unsupported(typeCode: wireType)
        case .varchar, .varString:
            return .string(lengthBytes: length < 256 ? 1 : 2, encoding: textEncoding, padBinaryTo: nil)
        case .string:
            let encoding = textEncoding
            return .string(
                lengthBytes: length > 255 ? 2 : 1, encoding: encoding, padBinaryTo: encoding == .binary ? length : nil
            )
        case .blob, .tinyBlob, .mediumBlob, .longBlob:
            guard (1...4).contains(metadata[0]) else { return .unsupported(typeCode: wireType) }
            return .blob(lengthBytes: Int(metadata[0]), encoding: textEncoding)
        case .json:
            guard (1...4).contains(metadata[0]) else { return .unsupported(typeCode: wireType) }
            return .json(lengthBytes: Int(metadata[0]))
        case .geometry:
            guard (1...4).contains(metadata[0]) else { return .unsupported(typeCode: wireType) }
            return .geometry(lengthBytes: Int(metadata[0]))
        case .enumeration:
            return (1...2).contains(length) ? .enumeration(bytes: length) : .unsupported(typeCode: wireType)
        case .set:
            return (1...8).contains(length) ? .set(bytes: length) : .unsupported(typeCode: wireType)
        case .null: return .null
        case .decimal, .typedArray, .vector, .invalid, .bool: return .unsupported(typeCode: wireType)
        }
    }
}

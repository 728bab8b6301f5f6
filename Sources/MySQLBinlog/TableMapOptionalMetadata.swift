/// The optional metadata at the end of a TABLE_MAP event: type(1) length(packed) value fields
/// (MySQL `rows_event.h`, `Table_map_event::Optional_metadata_field_type`; MariaDB 10.5+ writes
/// the same fields with `binlog_row_metadata=FULL`, names only with `MINIMAL`).
enum TableMapOptionalMetadata {
    static let signedness: UInt8 = 1
    static let defaultCharset: UInt8 = 2
    static let columnCharset: UInt8 = 3
    static let columnName: UInt8 = 4
    static let setStrValue: UInt8 = 5
    static let enumStrValue: UInt8 = 6
    static let geometryType: UInt8 = 7
    static let simplePrimaryKey: UInt8 = 8
    static let primaryKeyWithPrefix: UInt8 = 9
    static let enumAndSetDefaultCharset: UInt8 = 10
    static let enumAndSetColumnCharset: UInt8 = 11
    static let columnVisibility: UInt8 = 12

    /// Reads every field left in `reader` into `event`'s columns. Unknown fields are skipped:
    /// later servers add fields and say so only by their type code.
    static func apply(_ reader: inout ByteReader, to event: inout TableMapEvent, flavor: ServerFlavor) throws {
        let characterColumns = event.columns.indices.filter { event.columns[$0].isCharacter(flavor: flavor) }
        let enumOrSetColumns = event.columns.indices.filter {
            event.columns[$0].type == .enumeration || event.columns[$0].type == .set
        }
        // Member names are in the column's charset, which may arrive after them.
        var rawMembers: [Int: [UnsafeRawBufferPointer]] = [:]

        while !reader.isAtEnd {
            let field = try reader.readUInt8()
            var value = ByteReader(try reader.readLengthEncodedBytes())
            switch field {
            case signedness:
                event.hasSignedness = true
                // One bit per numeric column, most significant bit first.
                var numericIndex = 0
                for index in event.columns.indices where event.columns[index].isNumeric {
                    let byte = numericIndex / 8
                    guard byte < value.bytes.count else { break }
                    event.columns[index].isUnsigned = value.bytes[byte] & (0x80 >> (numericIndex % 8)) != 0
                    numericIndex += 1
                }
            case defaultCharset:
                try applyDefaultCharset(&value, to: &event, columns: characterColumns)
            case columnCharset:
                try applyColumnCharsets(&value, to: &event, columns: characterColumns)
            case enumAndSetDefaultCharset:
                try applyDefaultCharset(&value, to: &event, columns: enumOrSetColumns)
            case enumAndSetColumnCharset:
                try applyColumnCharsets(&value, to: &event, columns: enumOrSetColumns)
            case columnName:
                for index in event.columns.indices {
                    event.columns[index].name = String(decoding: try value.readLengthEncodedBytes(), as: UTF8.self)
                }
                event.hasColumnNames = true
            case setStrValue, enumStrValue:
                let wanted: ColumnType = field == setStrValue ? .set : .enumeration
                for index in enumOrSetColumns where event.columns[index].type == wanted {
                    let count = try value.readLengthEncodedCount()
                    var members: [UnsafeRawBufferPointer] = []
                    members.reserveCapacity(count)
                    for _ in 0..<count {
                        members.append(try value.readLengthEncodedBytes())
                    }
                    rawMembers[index] = members
                }
            case simplePrimaryKey:
                while !value.isAtEnd {
                    try markPrimaryKey(Int(try value.readLengthEncodedInt()), in: &event)
                }
            case primaryKeyWithPrefix:
                while !value.isAtEnd {
                    try markPrimaryKey(Int(try value.readLengthEncodedInt()), in: &event)
                    _ = try value.readLengthEncodedInt()  // prefix length
                }
            case geometryType, columnVisibility:
                continue
            default:
                continue
            }
        }

        for (index, members) in rawMembers {
            let encoding = event.columns[index].textEncoding
            event.columns[index].members = members.map { memberText($0, encoding: encoding) }
        }
    }

    private static func markPrimaryKey(_ index: Int, in event: inout TableMapEvent) throws {
        guard event.columns.indices.contains(index) else {
            throw BinlogDecodeError.Reason.malformed("primary key column \(index + 1) beyond the table's columns")
        }
        event.columns[index].isPrimaryKey = true
        event.primaryKey.append(index)
    }

    /// DEFAULT_CHARSET: the default collation (packed), then (column index among `columns`,
    /// collation) pairs for the columns that differ.
    private static func applyDefaultCharset(_ value: inout ByteReader, to event: inout TableMapEvent, columns: [Int]) throws {
        let defaultCollation = Int(try value.readLengthEncodedInt())
        for index in columns {
            event.columns[index].collationID = defaultCollation
        }
        while !value.isAtEnd {
            let position = Int(try value.readLengthEncodedInt())
            let collation = Int(try value.readLengthEncodedInt())
            guard columns.indices.contains(position) else {
                throw BinlogDecodeError.Reason.malformed("charset for character column \(position + 1) of \(columns.count)")
            }
            event.columns[columns[position]].collationID = collation
        }
    }

    /// COLUMN_CHARSET: one collation (packed) per column of `columns`.
    private static func applyColumnCharsets(_ value: inout ByteReader, to event: inout TableMapEvent, columns: [Int]) throws {
        for index in columns {
            event.columns[index].collationID = Int(try value.readLengthEncodedInt())
        }
    }

    private static func memberText(_ bytes: UnsafeRawBufferPointer, encoding: TextEncoding) -> String {
        switch encoding {
        case .latin1: decodeLatin1(bytes)
        case .utf8, .binary, .unspecified, .other: String(decoding: bytes, as: UTF8.self)
        }
    }
}

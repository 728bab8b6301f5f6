/// An event that could not be decoded.
///
/// `description` is deliberately generic: it names the event type, the position and what was
/// wrong, never the bytes (rows carry personal data). The leading bytes of the event are kept in
/// ``leadingBytes`` and shown only by `String(reflecting:)` for debugging.
public struct BinlogDecodeError: Error, Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    public enum Reason: Error, Sendable, Hashable {
        /// A field needed `needed` bytes at `offset` (from the start of the event) but only
        /// `available` were left.
        case truncated(offset: Int, needed: Int, available: Int)
        /// The event's CRC32 footer does not match its bytes.
        case checksumMismatch(stored: UInt32, computed: UInt32)
        /// The header's `event_size` disagrees with the bytes handed over.
        case sizeMismatch(header: Int, actual: Int)
        /// A TRANSACTION_PAYLOAD event: the source compresses transactions
        /// (`binlog_transaction_compression=ON`, MySQL 8.0.20+).
        case transactionCompressionUnsupported
        /// An event kind this decoder does not read; `setting` names the server setting that
        /// produces it, when there is one.
        case unsupportedEvent(setting: String?)
        /// A column type that cannot appear in a row image this decoder reads.
        case unsupportedColumnType(column: Int, typeCode: UInt8)
        /// A rows event for a table id with no TABLE_MAP before it.
        case unknownTableID(UInt64)
        /// A rows event whose column count is not its TABLE_MAP's.
        case columnCountMismatch(tableMap: Int, rowsEvent: Int)
        /// A value or field outside what the format allows, described without its content.
        case malformed(String)
        /// The bytes do not start with the binlog magic `\xFEbin`.
        case notABinlogFile
    }

    public var reason: Reason
    /// Where the event starts, when known.
    public var position: BinlogPosition?
    /// The event's type code, when the header could be read.
    public var eventTypeCode: UInt8?
    /// Up to the first 64 bytes of the event, for `debugDescription` only.
    public var leadingBytes: [UInt8]

    public init(reason: Reason, position: BinlogPosition?, eventTypeCode: UInt8?, leadingBytes: [UInt8] = []) {
        self.reason = reason
        self.position = position
        self.eventTypeCode = eventTypeCode
        self.leadingBytes = leadingBytes
    }

    public var description: String {
        var where_ = ""
        if let code = eventTypeCode {
            let name = BinlogEventType(rawValue: code)?.description ?? "event type \(code)"
            where_ += " \(name)"
        }
        if let position {
            where_ += " at \(position)"
        }
        return "cannot decode binlog event\(where_): \(reasonText)"
    }

    public var debugDescription: String {
        description + "; first bytes: " + hexDump(leadingBytes)
    }

    private var reasonText: String {
        switch reason {
        case .truncated(let offset, let needed, let available):
            "the event is truncated: \(needed) bytes needed at offset \(offset), \(available) left. "
                + "The source sent a partial event or the file is cut short; resume from the last committed position."
        case .checksumMismatch(let stored, let computed):
            "CRC32 mismatch (stored 0x\(hex32(stored)), computed 0x\(hex32(computed))): the event is corrupt. "
                + "Check the network or the file and resume from the last committed position."
        case .sizeMismatch(let header, let actual):
            "the header says \(header) bytes but \(actual) were given; hand over exactly one event."
        case .transactionCompressionUnsupported:
            "TRANSACTION_PAYLOAD events are not supported: the source has binlog_transaction_compression=ON. "
                + "Set binlog_transaction_compression=OFF on the source (SET PERSIST binlog_transaction_compression=OFF)."
        case .unsupportedEvent(let setting):
            if let setting {
                "this event kind is not supported; it is produced by the source setting \(setting), turn it off."
            } else {
                "this event kind is not supported."
            }
        case .unsupportedColumnType(let column, let typeCode):
            "column \(column + 1) has column type \(typeCode), which cannot be decoded."
        case .unknownTableID(let id):
            "rows for table id \(id) arrived without a TABLE_MAP event for it; start reading at a transaction boundary."
        case .columnCountMismatch(let tableMap, let rowsEvent):
            "the rows event has \(rowsEvent) columns but its TABLE_MAP has \(tableMap)."
        case .malformed(let what):
            "malformed event: \(what)."
        case .notABinlogFile:
            "the bytes do not start with the binlog magic 0xFE 'bin'; this is not a binlog file."
        }
    }
}

func hex32(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 8 - digits.count) + digits
}

func hexDump(_ bytes: [UInt8], separator: Character? = " ") -> String {
    let digits = Array("0123456789abcdef")
    var text = ""
    text.reserveCapacity(bytes.count * 3)
    for (index, byte) in bytes.enumerated() {
        if index > 0, let separator { text.append(separator) }
        text.append(digits[Int(byte >> 4)])
        text.append(digits[Int(byte & 0xF)])
    }
    return text
}

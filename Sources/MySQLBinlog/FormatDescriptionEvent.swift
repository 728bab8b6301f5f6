/// FORMAT_DESCRIPTION_EVENT (type 15): the first event of every binlog file and of every
/// replication stream. It says how long each event type's post-header is and whether events
/// end with a CRC32 checksum.
///
/// Body (MySQL `control_events.h`, `Format_description_event`): binlog_version(2)
/// server_version(50, NUL-padded) create_timestamp(4) header_length(1) then one post-header
/// length per event type; servers that know checksums (MySQL 5.6.1+, MariaDB 5.3+) add the
/// checksum algorithm (1) and always reserve the 4-byte checksum after it, even when the
/// algorithm is OFF.
public struct FormatDescriptionEvent: Sendable, Hashable {
    public var header: BinlogEventHeader
    public var binlogVersion: UInt16
    public var serverVersion: String
    public var createTimestamp: UInt32
    public var headerLength: Int
    /// Post-header length of event type `code` at index `code - 1`.
    public var postHeaderLengths: [UInt8]
    public var checksum: ChecksumAlgorithm

    /// Which server family wrote the binlog, from ``serverVersion``.
    public var flavor: ServerFlavor {
        serverVersion.contains("MariaDB") ? .mariaDB : .mysql
    }

    /// The post-header length of `type`, or nil when the server did not declare one.
    public func postHeaderLength(of type: BinlogEventType) -> Int? {
        let index = Int(type.rawValue) - 1
        return postHeaderLengths.indices.contains(index) ? Int(postHeaderLengths[index]) : nil
    }

    /// The format assumed before a FORMAT_DESCRIPTION_EVENT arrives: a 19-byte header and no
    /// checksum (a replication stream starts with a fake ROTATE, written that way).
    public static let beforeFirst = FormatDescriptionEvent(
        header: BinlogEventHeader(timestamp: 0, typeCode: 15, serverID: 0, eventSize: 0, nextPosition: 0, flags: 0),
        binlogVersion: 4, serverVersion: "", createTimestamp: 0, headerLength: BinlogEventHeader.length,
        postHeaderLengths: [], checksum: .off
    )

    public init(
        header: BinlogEventHeader, binlogVersion: UInt16, serverVersion: String, createTimestamp: UInt32,
        headerLength: Int, postHeaderLengths: [UInt8], checksum: ChecksumAlgorithm
    ) {
        self.header = header
        self.binlogVersion = binlogVersion
        self.serverVersion = serverVersion
        self.createTimestamp = createTimestamp
        self.headerLength = headerLength
        self.postHeaderLengths = postHeaderLengths
        self.checksum = checksum
    }

    /// Reads the body of a FORMAT_DESCRIPTION_EVENT; `body` covers the whole event after the
    /// common header, checksum footer included (its presence is only known from the body).
    static func decode(header: BinlogEventHeader, body reader: inout ByteReader) throws -> FormatDescriptionEvent {
        let binlogVersion = try reader.readUInt16()
        let versionBytes = try reader.readBytes(50)
        let versionLength = versionBytes.firstIndex(of: 0) ?? 50
        let serverVersion = String(decoding: UnsafeRawBufferPointer(rebasing: versionBytes[..<versionLength]), as: UTF8.self)
        let createTimestamp = try reader.readUInt32()
        let headerLength = Int(try reader.readUInt8())
        guard headerLength >= BinlogEventHeader.length else {
            throw BinlogDecodeError.Reason.malformed("FORMAT_DESCRIPTION header length \(headerLength) is below 19")
        }
        let knowsChecksums = Self.knowsChecksums(serverVersion)
        let trailer = knowsChecksums ? 5 : 0
        guard reader.remaining >= trailer else {
            throw ShortRead(offset: reader.offset, needed: trailer, available: reader.remaining)
        }
        let lengths = Array(try reader.readBytes(reader.remaining - trailer))
        var checksum = ChecksumAlgorithm.off
        if knowsChecksums {
            let code = try reader.readUInt8()
            switch code {
            case 0: checksum = .off
            case 1: checksum = .crc32
            default:
                throw BinlogDecodeError.Reason.malformed("unknown checksum algorithm \(code)")
            }
            try reader.skip(4)
        }
        return FormatDescriptionEvent(
            header: header, binlogVersion: binlogVersion, serverVersion: serverVersion,
            createTimestamp: createTimestamp, headerLength: headerLength, postHeaderLengths: lengths,
            checksum: checksum
        )
    }

    /// Checksums arrived in MySQL 5.6.1 and MariaDB 5.3.0 (`checksum_version_split` in
    /// `log_event.cc`); their FORMAT_DESCRIPTION_EVENTs always carry the algorithm byte.
    static func knowsChecksums(_ serverVersion: String) -> Bool {
        let numbers = serverVersion.split(whereSeparator: { !$0.isNumber }).prefix(3).compactMap { Int($0) }
        guard numbers.count == 3 else { return false }
        let version = (numbers[0], numbers[1], numbers[2])
        if serverVersion.contains("MariaDB") {
            return version >= (5, 3, 0)
        }
        return version >= (5, 6, 1)
    }
}

/// The checksum appended to each event (`binlog_checksum`).
public enum ChecksumAlgorithm: Sendable, Hashable {
    case off
    case crc32

    /// Bytes of footer each event carries.
    public var footerLength: Int {
        switch self {
        case .off: 0
        case .crc32: 4
        }
    }
}

/// The server family that wrote a binlog; a few encodings differ between them.
public enum ServerFlavor: Sendable, Hashable {
    case mysql
    case mariaDB
}

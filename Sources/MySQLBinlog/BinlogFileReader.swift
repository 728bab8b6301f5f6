/// Reads the events of a binlog file held in memory: the 4-byte magic `0xFE 'b' 'i' 'n'`,
/// then events back to back, each as long as its header's `event_size`.
///
/// It does no I/O: hand it the file's bytes. Events are decoded one at a time by ``next()``,
/// with the file's name in every position. For a file too large to hold whole, use
/// ``BinlogChunkReader``, which takes the bytes in chunks.
public struct BinlogFileReader: Sendable {
    public static let magic: [UInt8] = [0xFE, 0x62, 0x69, 0x6E]

    public let file: String
    private let bytes: [UInt8]
    /// Offset of the next event.
    public private(set) var offset: Int
    public var decoder: BinlogEventDecoder

    public init(file: String, bytes: [UInt8], decoder: BinlogEventDecoder = BinlogEventDecoder()) throws(BinlogDecodeError) {
        guard bytes.starts(with: Self.magic) else {
            throw BinlogDecodeError(
                reason: .notABinlogFile, position: BinlogPosition(file: file, offset: 0), eventTypeCode: nil,
                leadingBytes: Array(bytes.prefix(16))
            )
        }
        self.file = file
        self.bytes = bytes
        self.offset = Self.magic.count
        self.decoder = decoder
    }

    /// The next event with the position it starts at, or nil at the end of the file. A file
    /// that ends inside an event (a server still writing it) throws `truncated`.
    public mutating func next() throws(BinlogDecodeError) -> (event: BinlogEvent, position: BinlogPosition)? {
        guard offset < bytes.count else { return nil }
        let position = BinlogPosition(file: file, offset: UInt64(offset))
        let available = bytes.count - offset
        guard available >= BinlogEventHeader.length else {
            throw BinlogDecodeError(
                reason: .truncated(offset: 0, needed: BinlogEventHeader.length, available: available),
                position: position, eventTypeCode: nil, leadingBytes: Array(bytes[offset...].prefix(64))
            )
        }
        let size = Int(bytes[offset + 9]) | Int(bytes[offset + 10]) << 8 | Int(bytes[offset + 11]) << 16
            | Int(bytes[offset + 12]) << 24
        guard size >= BinlogEventHeader.length, size <= available else {
            throw BinlogDecodeError(
                reason: .truncated(offset: 0, needed: size, available: available), position: position,
                eventTypeCode: bytes[offset + 4], leadingBytes: Array(bytes[offset...].prefix(64))
            )
        }
        let event = try decoder.decode(bytes[offset..<(offset + size)], position: position)
        offset += size
        return (event, position)
    }

    /// Every event of the file.
    public mutating func readAll() throws(BinlogDecodeError) -> [(event: BinlogEvent, position: BinlogPosition)] {
        var events: [(event: BinlogEvent, position: BinlogPosition)] = []
        while let next = try next() {
            events.append(next)
        }
        return events
    }
}

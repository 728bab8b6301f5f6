/// Reads the events of a binlog file handed over in chunks of any size, so a file of any length
/// is decoded with memory bounded by the chunk size and the largest event, not by the file.
///
/// It does no I/O: the caller reads the file (or a socket) and ``append(_:)``s what it read,
/// then calls ``next()`` until it returns nil (no whole event buffered), and reads more.
/// ``finish()`` says whether the file ended cleanly. Events are the same, with the same
/// positions, as ``BinlogFileReader`` returns for the whole file.
///
/// Rows events keep a slice of the reader's buffer rather than a copy: let each event go before
/// appending the next chunk, or the buffer is copied once (still correct, just slower).
public struct BinlogChunkReader: Sendable {
    public let file: String
    public var decoder: BinlogEventDecoder
    /// Unread bytes start at `start`; `buffer[0]` is at `bufferOffset` in the file.
    private var buffer: [UInt8] = []
    private var start = 0
    private var bufferOffset: UInt64 = 0
    private var checkedMagic = false

    public init(file: String, decoder: BinlogEventDecoder = BinlogEventDecoder()) {
        self.file = file
        self.decoder = decoder
    }

    /// Offset in the file of the next event (4 before the first, past the magic).
    public var offset: UInt64 { bufferOffset + UInt64(start) + (checkedMagic ? 0 : 4) }

    /// Bytes appended and not yet returned as events.
    public var bufferedByteCount: Int { buffer.count - start }

    /// Adds the next bytes of the file. Bytes already returned as events are dropped first, so
    /// the buffer holds at most one partial event plus the new chunk.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        if start > 0 {
            buffer.removeSubrange(0..<start)
            bufferOffset += UInt64(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// Adds the next bytes of the file.
    public mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    /// The next whole event with the position it starts at, or nil when the bytes appended so
    /// far end before the next event does (append more, or ``finish()`` at the end of the file).
    public mutating func next() throws(BinlogDecodeError) -> (event: BinlogEvent, position: BinlogPosition)? {
        if !checkedMagic {
            guard bufferedByteCount >= BinlogFileReader.magic.count else { return nil }
            guard buffer[start..<(start + 4)].elementsEqual(BinlogFileReader.magic) else {
                throw BinlogDecodeError(
                    reason: .notABinlogFile, position: BinlogPosition(file: file, offset: 0), eventTypeCode: nil,
                    leadingBytes: Array(buffer[start...].prefix(16))
                )
            }
            start += 4
            checkedMagic = true
        }
        let available = bufferedByteCount
        guard available >= BinlogEventHeader.length else { return nil }
        let position = BinlogPosition(file: file, offset: offset)
        let size = Int(buffer[start + 9]) | Int(buffer[start + 10]) << 8 | Int(buffer[start + 11]) << 16
            | Int(buffer[start + 12]) << 24
        guard size >= BinlogEventHeader.length else {
            throw BinlogDecodeError(
                reason: .truncated(offset: 0, needed: BinlogEventHeader.length, available: size), position: position,
                eventTypeCode: buffer[start + 4], leadingBytes: Array(buffer[start...].prefix(64))
            )
        }
        guard size <= available else { return nil }
        let event = try decoder.decode(buffer[start..<(start + size)], position: position)
        start += size
        return (event, position)
    }

    /// Call at the end of the file, after ``next()`` returned nil: throws `truncated` when the
    /// file ends inside an event (a server still writing it), `notABinlogFile` when it is shorter
    /// than the magic or does not start with it.
    public func finish() throws(BinlogDecodeError) {
        let available = bufferedByteCount
        guard checkedMagic else {
            throw BinlogDecodeError(
                reason: .notABinlogFile, position: BinlogPosition(file: file, offset: 0), eventTypeCode: nil,
                leadingBytes: Array(buffer[start...].prefix(16))
            )
        }
        guard available == 0 else {
            var needed = BinlogEventHeader.length
            if available >= BinlogEventHeader.length {
                needed = Int(buffer[start + 9]) | Int(buffer[start + 10]) << 8 | Int(buffer[start + 11]) << 16
                    | Int(buffer[start + 12]) << 24
            }
            throw BinlogDecodeError(
                reason: .truncated(offset: 0, needed: needed, available: available),
                position: BinlogPosition(file: file, offset: offset),
                eventTypeCode: available > 4 ? buffer[start + 4] : nil, leadingBytes: Array(buffer[start...].prefix(64))
            )
        }
    }
}

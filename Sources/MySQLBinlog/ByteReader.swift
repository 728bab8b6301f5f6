/// A bounds-checked cursor over borrowed bytes.
///
/// The binlog is little-endian except for a few value encodings (DECIMAL, TIME2, DATETIME2,
/// TIMESTAMP2, BIT), so little-endian is the default here and big-endian reads say so in their
/// names. Every read either returns its value and advances, or throws ``ShortRead`` and leaves
/// the cursor where it was: a reader never moves past the end.
///
/// The reader borrows the buffer it is given and must not outlive it: create it inside
/// `withUnsafeBytes` and let it go before the closure returns. Reads of byte runs return
/// sub-buffers of the same storage (no copy).
public struct ByteReader {
    /// The bytes being read.
    public let bytes: UnsafeRawBufferPointer
    /// Offset of the next byte to read, from the start of `bytes`.
    public internal(set) var offset: Int

    public init(_ bytes: UnsafeRawBufferPointer, offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    /// How many bytes are left to read.
    @inlinable public var remaining: Int { bytes.count - offset }

    /// True when every byte has been read.
    @inlinable public var isAtEnd: Bool { offset >= bytes.count }

    @inline(__always)
    func ensure(_ count: Int) throws(ShortRead) {
        guard count >= 0, count <= bytes.count - offset else {
            throw ShortRead(offset: offset, needed: count, available: bytes.count - offset)
        }
    }

    /// Skips `count` bytes.
    public mutating func skip(_ count: Int) throws(ShortRead) {
        try ensure(count)
        offset += count
    }

    /// The next `count` bytes, as a sub-buffer of the same storage.
    @inline(__always)
    public mutating func readBytes(_ count: Int) throws(ShortRead) -> UnsafeRawBufferPointer {
        try ensure(count)
        // Checked just above: no slice of `bytes` (whose bounds checks rebasing repeats).
        let slice = UnsafeRawBufferPointer(start: bytes.baseAddress.map { $0 + offset }, count: count)
        offset += count
        return slice
    }

    /// Every byte not yet read.
    public mutating func readRest() -> UnsafeRawBufferPointer {
        let slice = UnsafeRawBufferPointer(rebasing: bytes[offset...])
        offset = bytes.count
        return slice
    }

    /// The next byte without consuming it, or nil at the end.
    public func peekUInt8() -> UInt8? {
        offset < bytes.count ? bytes[offset] : nil
    }

    public mutating func readUInt8() throws(ShortRead) -> UInt8 {
        try ensure(1)
        defer { offset += 1 }
        return bytes[offset]
    }

    public mutating func readUInt16() throws(ShortRead) -> UInt16 {
        UInt16(truncatingIfNeeded: try readUInt(byteCount: 2))
    }

    public mutating func readUInt32() throws(ShortRead) -> UInt32 {
        UInt32(truncatingIfNeeded: try readUInt(byteCount: 4))
    }

    public mutating func readUInt64() throws(ShortRead) -> UInt64 {
        try readUInt(byteCount: 8)
    }

    /// A little-endian unsigned integer of 1 to 8 bytes (the binlog has 3-, 5- and 6-byte ones).
    ///
    /// Every value of every row goes through here: with 8 bytes left it loads one word and
    /// masks it rather than assembling the integer byte by byte.
    @inline(__always)
    public mutating func readUInt(byteCount: Int) throws(ShortRead) -> UInt64 {
        precondition((1...8).contains(byteCount), "integers are 1 to 8 bytes wide")
        try ensure(byteCount)
        var value: UInt64
        if bytes.count - offset >= 8 {
            value = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            if byteCount < 8 {
                value &= (1 &<< UInt64(byteCount &* 8)) &- 1
            }
        } else {
            value = 0
            var index = byteCount - 1
            while index >= 0 {
                value = value << 8 | UInt64(bytes[offset + index])
                index -= 1
            }
        }
        offset += byteCount
        return value
    }

    /// A little-endian two's-complement integer of 1 to 8 bytes, sign-extended.
    @inline(__always)
    public mutating func readInt(byteCount: Int) throws(ShortRead) -> Int64 {
        let raw = try readUInt(byteCount: byteCount)
        let shift = UInt64(64 - 8 * byteCount)
        return Int64(bitPattern: raw << shift) >> shift
    }
}

/// A read that needed more bytes than were left.
public struct ShortRead: Error, Sendable, Hashable {
    /// Where the read started, from the start of the buffer.
    public var offset: Int
    public var needed: Int
    public var available: Int
}

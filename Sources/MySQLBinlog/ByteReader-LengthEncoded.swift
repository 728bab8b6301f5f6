extension ByteReader {
    /// A length-encoded ("packed") integer, as the client/server protocol and the binlog's
    /// TABLE_MAP and rows events use it: one byte below 251, else a marker byte 0xFC, 0xFD or
    /// 0xFE followed by 2, 3 or 8 little-endian bytes (MariaDB docs, "Protocol Data Types").
    /// 0xFB (SQL NULL in result sets) and 0xFF never start a length in the binlog and throw.
    public mutating func readLengthEncodedInt() throws(LengthEncodedIntError) -> UInt64 {
        guard let first = peekUInt8() else {
            throw .short(ShortRead(offset: offset, needed: 1, available: 0))
        }
        let width: Int
        switch first {
        case 0..<0xFB:
            offset += 1
            return UInt64(first)
        case 0xFC: width = 2
        case 0xFD: width = 3
        case 0xFE: width = 8
        default: throw .invalidMarker(first, offset: offset)
        }
        guard remaining > width else {
            throw .short(ShortRead(offset: offset, needed: 1 + width, available: remaining))
        }
        offset += 1
        do {
            return try readUInt(byteCount: width)
        } catch {
            offset -= 1
            throw .short(error)
        }
    }

    /// A length-encoded integer used as a count or a length: it must fit in what is left.
    public mutating func readLengthEncodedCount() throws(LengthEncodedIntError) -> Int {
        let start = offset
        let value = try readLengthEncodedInt()
        guard value <= UInt64(remaining) else {
            let available = remaining
            offset = start
            throw .short(ShortRead(offset: start, needed: Int(clamping: value), available: available))
        }
        return Int(value)
    }

    /// Bytes preceded by a length-encoded length.
    public mutating func readLengthEncodedBytes() throws(LengthEncodedIntError) -> UnsafeRawBufferPointer {
        let count = try readLengthEncodedCount()
        do {
            return try readBytes(count)
        } catch {
            throw .short(error)
        }
    }

    /// Bytes preceded by a little-endian length of `lengthBytes` bytes (1 to 4), as BLOB, TEXT
    /// and VARCHAR values are stored in row images.
    @inline(__always)
    public mutating func readLengthPrefixedBytes(lengthBytes: Int) throws(ShortRead) -> UnsafeRawBufferPointer {
        let start = offset
        let length = try readUInt(byteCount: lengthBytes)
        guard length <= UInt64(remaining) else {
            let available = remaining
            offset = start
            throw ShortRead(offset: start, needed: Int(clamping: length) + lengthBytes, available: available + lengthBytes)
        }
        return try readBytes(Int(length))
    }

    /// UTF-8 text of `count` bytes (identifiers, query text).
    public mutating func readString(_ count: Int) throws(ShortRead) -> String {
        String(decoding: try readBytes(count), as: UTF8.self)
    }

    mutating func skipUnchecked(_ count: Int) {
        offset += count
    }
}

/// A length-encoded integer that could not be read.
public enum LengthEncodedIntError: Error, Sendable, Hashable {
    case short(ShortRead)
    /// 0xFB or 0xFF where a length was expected.
    case invalidMarker(UInt8, offset: Int)
}

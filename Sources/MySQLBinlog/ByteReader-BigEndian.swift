extension ByteReader {
    /// A big-endian unsigned integer of 1 to 8 bytes.
    ///
    /// The binlog's row images are little-endian except where MySQL stores a value in its
    /// "memcmp-able" key format: DECIMAL, TIME2, DATETIME2, TIMESTAMP2 and BIT are big-endian
    /// (`my_time.cc`: `mi_uint3korr`/`mi_uint5korr`, `decimal.c`: `mi_sint4korr`).
    @inline(__always)
    public mutating func readUIntBigEndian(byteCount: Int) throws(ShortRead) -> UInt64 {
        precondition((1...8).contains(byteCount), "integers are 1 to 8 bytes wide")
        try ensure(byteCount)
        var value: UInt64
        if bytes.count - offset >= 8 {
            // The first `byteCount` bytes, most significant first: load a word, keep its top.
            let word = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            value = word &>> UInt64(64 &- byteCount &* 8)
        } else {
            value = 0
            for index in 0..<byteCount {
                value = value << 8 | UInt64(bytes[offset + index])
            }
        }
        skipUnchecked(byteCount)
        return value
    }

    /// A big-endian two's-complement integer of 1 to 8 bytes, sign-extended.
    @inline(__always)
    public mutating func readIntBigEndian(byteCount: Int) throws(ShortRead) -> Int64 {
        let raw = try readUIntBigEndian(byteCount: byteCount)
        let shift = UInt64(64 - 8 * byteCount)
        return Int64(bitPattern: raw << shift) >> shift
    }
}

import Testing
@testable import MySQLBinlog

@Suite struct ByteReaderTests {
    @Test func littleEndianIntegersOfEveryWidth() throws {
        let bytes: [UInt8] = [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08]
        try bytes.withUnsafeBytes { (raw) throws in
            for width in 1...8 {
                var reader = ByteReader(raw)
                let expected = (0..<width).reduce(UInt64(0)) { $0 | UInt64(bytes[$1]) << (8 * UInt64($1)) }
                #expect(try reader.readUInt(byteCount: width) == expected)
                #expect(reader.offset == width)
            }
        }
    }

    /// Word loads (8 bytes left) and byte-by-byte reads (near the end) give the same integers.
    @Test func integersAtEveryOffsetNearTheEnd() throws {
        let bytes: [UInt8] = (0..<20).map { UInt8(truncatingIfNeeded: 0x81 + $0 * 37) }
        try bytes.withUnsafeBytes { (raw) throws in
            for width in 1...8 {
                for offset in 0...(bytes.count - width) {
                    let little = (0..<width).reduce(UInt64(0)) { $0 | UInt64(bytes[offset + $1]) << (8 * UInt64($1)) }
                    let big = (0..<width).reduce(UInt64(0)) { $0 << 8 | UInt64(bytes[offset + $1]) }
                    var reader = ByteReader(raw, offset: offset)
                    #expect(try reader.readUInt(byteCount: width) == little, "width \(width) at \(offset)")
                    #expect(reader.offset == offset + width)
                    reader = ByteReader(raw, offset: offset)
                    #expect(try reader.readUIntBigEndian(byteCount: width) == big, "width \(width) at \(offset)")
                    #expect(reader.offset == offset + width)
                    let shift = UInt64(64 - 8 * width)
                    reader = ByteReader(raw, offset: offset)
                    #expect(try reader.readInt(byteCount: width) == Int64(bitPattern: little << shift) >> shift)
                    reader = ByteReader(raw, offset: offset)
                    #expect(try reader.readIntBigEndian(byteCount: width) == Int64(bitPattern: big << shift) >> shift)
                }
            }
        }
    }

    @Test func bigEndianAndSignExtension() throws {
        let bytes: [UInt8] = [0xFF, 0xFE, 0x80, 0x00]
        try bytes.withUnsafeBytes { (raw) throws in
            var reader = ByteReader(raw)
            #expect(try reader.readUIntBigEndian(byteCount: 2) == 0xFFFE)
            #expect(try reader.readIntBigEndian(byteCount: 2) == -32768)
            var little = ByteReader(raw)
            #expect(try little.readInt(byteCount: 3) == -0x7F_0101)  // 0x80FEFF - 2^24
        }
    }

    @Test func shortReadsThrowAndDoNotMove() throws {
        let bytes: [UInt8] = [1, 2, 3]
        try bytes.withUnsafeBytes { (raw) throws in
            var reader = ByteReader(raw, offset: 1)
            #expect(throws: ShortRead(offset: 1, needed: 4, available: 2)) { try reader.readUInt32() }
            #expect(reader.offset == 1)
            #expect(throws: ShortRead(offset: 1, needed: 3, available: 2)) { try reader.readBytes(3) }
            #expect(throws: ShortRead(offset: 1, needed: -1, available: 2)) { try reader.skip(-1) }
            #expect(reader.offset == 1)
        }
    }

    @Test func lengthEncodedIntegers() throws {
        let bytes: [UInt8] = [0xFA, 0xFC, 0x34, 0x12, 0xFD, 0x01, 0x02, 0x03, 0xFE, 1, 0, 0, 0, 0, 0, 0, 0x80]
        try bytes.withUnsafeBytes { (raw) throws in
            var reader = ByteReader(raw)
            #expect(try reader.readLengthEncodedInt() == 250)
            #expect(try reader.readLengthEncodedInt() == 0x1234)
            #expect(try reader.readLengthEncodedInt() == 0x030201)
            #expect(try reader.readLengthEncodedInt() == 0x8000_0000_0000_0001)
            #expect(reader.isAtEnd)
        }
    }

    @Test func lengthEncodedErrors() throws {
        let bad: [UInt8] = [0xFB]
        try bad.withUnsafeBytes { (raw) throws in
            var reader = ByteReader(raw)
            #expect(throws: LengthEncodedIntError.invalidMarker(0xFB, offset: 0)) { try reader.readLengthEncodedInt() }
            #expect(reader.offset == 0)
        }
        let short: [UInt8] = [0xFD, 0x01]
        try short.withUnsafeBytes { (raw) throws in
            var reader = ByteReader(raw)
            #expect(throws: LengthEncodedIntError.short(ShortRead(offset: 0, needed: 4, available: 2))) {
                try reader.readLengthEncodedInt()
            }
            #expect(reader.offset == 0)
        }
        let tooLong: [UInt8] = [0x05, 0x01]
        try tooLong.withUnsafeBytes { (raw) throws in
            var reader = ByteReader(raw)
            #expect(throws: LengthEncodedIntError.self) { try reader.readLengthEncodedBytes() }
            #expect(reader.offset == 0)
        }
    }

    @Test func lengthPrefixedBytesShareStorage() throws {
        let bytes: [UInt8] = [0x02, 0x00, 0x41, 0x42, 0x43]
        try bytes.withUnsafeBytes { (raw) throws in
            var reader = ByteReader(raw)
            let value = try reader.readLengthPrefixedBytes(lengthBytes: 2)
            #expect(Array(value) == [0x41, 0x42])
            #expect(value.baseAddress == raw.baseAddress! + 2)
            var short = ByteReader(raw, offset: 2)
            #expect(throws: ShortRead.self) { try short.readLengthPrefixedBytes(lengthBytes: 1) }
            #expect(short.offset == 2)
        }
    }
}

@Suite struct CRC32Tests {
    @Test func checkValue() {
        // The CRC-32 check value of "123456789" (zlib, RFC 1952).
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([UInt8]()) == 0)
    }

    /// The CRC by its definition, one bit at a time: what zlib's `crc32` must agree with.
    static func bitwise(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 {
                crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1
            }
        }
        return ~crc
    }

    @Test func everyLengthAndAlignmentMatchesTheDefinition() {
        var bytes: [UInt8] = []
        var seed: UInt32 = 12345
        for _ in 0..<200 {
            seed = seed &* 1_103_515_245 &+ 12345
            bytes.append(UInt8(truncatingIfNeeded: seed >> 16))
        }
        for start in 0..<9 {
            for end in start...(start + 100) {
                let slice = bytes[start..<end]
                let fast = slice.withUnsafeBytes { CRC32.checksum($0) }
                #expect(fast == Self.bitwise(slice), "bytes \(start)..<\(end)")
            }
        }
    }

    @Test func continuingEqualsWhole() {
        let bytes = Array("The quick brown fox".utf8)
        let first = bytes[..<7].withUnsafeBytes { CRC32.checksum($0) }
        let whole = bytes[7...].withUnsafeBytes { CRC32.checksum($0, continuing: first) }
        #expect(whole == CRC32.checksum(bytes))
    }

    @Test func corruptedEventIsDetected() throws {
        var bytes = try Fixtures.bytes("binlog.000002")
        // The QUERY event at 421 (CREATE TABLE people): flip one bit of its statement.
        bytes[421 + 100] ^= 0x01
        var reader = try BinlogFileReader(file: "binlog.000002", bytes: bytes)
        var caught: BinlogDecodeError?
        do {
            while try reader.next() != nil {}
        } catch {
            caught = error
        }
        let error = try #require(caught)
        #expect(error.position == BinlogPosition(file: "binlog.000002", offset: 421))
        #expect(error.eventTypeCode == BinlogEventType.query.rawValue)
        guard case .checksumMismatch = error.reason else {
            Issue.record("expected a checksum mismatch, got \(error.reason)")
            return
        }
    }

    @Test func checksumsCanBeIgnored() throws {
        var bytes = try Fixtures.bytes("binlog.000002")
        bytes[421 + 100] ^= 0x01
        var reader = try BinlogFileReader(file: "binlog.000002", bytes: bytes, decoder: BinlogEventDecoder(verifiesChecksums: false))
        #expect(try reader.readAll().count > 10)
    }

    @Test func formatDescriptionInUseFlagIsNotChecksummed() throws {
        // The server sets LOG_EVENT_BINLOG_IN_USE_F while the file is open and clears it in
        // place on close; the CRC covers the flag as clear.
        var bytes = try Fixtures.bytes("binlog.000001")
        #expect(bytes[4 + 17] & 1 == 0)
        bytes[4 + 17] |= 1
        var reader = try BinlogFileReader(file: "binlog.000001", bytes: bytes)
        let first = try #require(try reader.next())
        #expect(first.event.header.flags & 1 == 1)
    }
}

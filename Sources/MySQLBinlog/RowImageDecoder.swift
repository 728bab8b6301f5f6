/// Reads one row image: the null bitmap over the present columns, then each present, non-NULL
/// value in column order.
enum RowImageDecoder {
    static func decode(
        _ reader: inout ByteReader, plan: RowDecodingPlan, present: UnsafeRawBufferPointer
    ) throws -> [BinlogValue] {
        try plan.decodings.withUnsafeBufferPointer { decodings in
            try decode(&reader, decodings: decodings, members: plan.members, present: present)
        }
    }

    static func decode(
        _ reader: inout ByteReader, decodings columns: UnsafeBufferPointer<ColumnDecoding>, members: [[String]?],
        present: UnsafeRawBufferPointer
    ) throws -> [BinlogValue] {
        var presentCount = 0
        for byte in present {
            presentCount += byte.nonzeroBitCount
        }
        // Bits past the last column in the last byte are not columns.
        let overflow = present.count * 8 - columns.count
        if overflow > 0, let last = present.last {
            presentCount -= (last >> (8 - overflow)).nonzeroBitCount
        }
        let nulls = try reader.readBytes((presentCount + 7) / 8)
        var values: [BinlogValue] = []
        values.reserveCapacity(columns.count)
        var presentIndex = 0
        for index in columns.indices {
            guard present[index >> 3] & (1 << (index & 7)) != 0 else {
                values.append(.absent)
                continue
            }
            defer { presentIndex += 1 }
            if nulls[presentIndex >> 3] & (1 << (presentIndex & 7)) != 0 {
                values.append(.null)
                continue
            }
            values.append(try value(&reader, decoding: columns[index], members: members, index: index))
        }
        return values
    }

    @inline(__always)
    static func value(
        _ reader: inout ByteReader, decoding: ColumnDecoding, members allMembers: [[String]?], index: Int
    ) throws -> BinlogValue {
        switch decoding {
        case .signed(let bytes):
            return .int(try reader.readInt(byteCount: bytes))
        case .unsigned(let bytes):
            return .uint(try reader.readUInt(byteCount: bytes))
        case .float:
            return .float(Float(bitPattern: try reader.readUInt32()))
        case .double:
            return .double(Double(bitPattern: try reader.readUInt64()))
        case .decimal(let precision, let scale):
            return .decimal(try DecimalValue.read(&reader, precision: precision, scale: scale))
        case .bit(let bits):
            return .bits(try reader.readUIntBigEndian(byteCount: (bits + 7) / 8), width: bits)
        case .year:
            let year = Int(try reader.readUInt8())
            return .year(year == 0 ? 0 : 1900 + year)
        case .date:
            return .date(try TemporalValue.date(&reader))
        case .time:
            return .time(try TemporalValue.time(&reader))
        case .time2(let fsp):
            return .time(try TemporalValue.time2(&reader, fsp: fsp))
        case .dateTime:
            return .dateTime(try TemporalValue.dateTime(&reader))
        case .dateTime2(let fsp):
            return .dateTime(try TemporalValue.dateTime2(&reader, fsp: fsp))
        case .timestamp:
            return .timestamp(try TemporalValue.timestamp(&reader))
        case .timestamp2(let fsp):
            return .timestamp(try TemporalValue.timestamp2(&reader, fsp: fsp))
        case .string(let lengthBytes, let encoding, let padBinaryTo):
            let bytes = try reader.readLengthPrefixedBytes(lengthBytes: lengthBytes)
            if let padBinaryTo, bytes.count < padBinaryTo {
                // BINARY(n) is stored without its trailing zero bytes (`Field_string::pack`
                // strips the pad character); SELECT returns all n bytes.
                var padded = Array(bytes)
                padded.append(contentsOf: repeatElement(0, count: padBinaryTo - bytes.count))
                return .bytes(padded)
            }
            return text(bytes, encoding: encoding)
        case .blob(let lengthBytes, let encoding):
            return text(try reader.readLengthPrefixedBytes(lengthBytes: lengthBytes), encoding: encoding)
        case .json(let lengthBytes):
            let bytes = try reader.readLengthPrefixedBytes(lengthBytes: lengthBytes)
            do {
                return .json(try MySQLJSON.text(bytes))
            } catch is ShortRead {
                throw BinlogDecodeError.Reason.malformed("binary JSON of column \(index + 1)")
            } catch {
                throw BinlogDecodeError.Reason.malformed("binary JSON of column \(index + 1)")
            }
        case .geometry(let lengthBytes):
            return .bytes(Array(try reader.readLengthPrefixedBytes(lengthBytes: lengthBytes)))
        case .enumeration(let bytes):
            let number = Int(try reader.readUInt(byteCount: bytes))
            guard let members = allMembers[index] else { return .enumIndex(number) }
            if number == 0 { return .enumeration("") }
            guard number <= members.count else {
                throw BinlogDecodeError.Reason.malformed("ENUM index \(number) of column \(index + 1) beyond its \(members.count) members")
            }
            return .enumeration(members[number - 1])
        case .set(let bytes):
            let mask = try reader.readUInt(byteCount: bytes)
            guard let members = allMembers[index] else { return .setBits(mask) }
            var chosen: [String] = []
            for bit in 0..<min(members.count, 64) where mask & (1 << UInt64(bit)) != 0 {
                chosen.append(members[bit])
            }
            return .set(chosen)
        case .null:
            return .null
        case .unsupported(let typeCode):
            throw BinlogDecodeError.Reason.unsupportedColumnType(column: index, typeCode: typeCode)
        }
    }

    @inline(__always)
    static func text(_ bytes: UnsafeRawBufferPointer, encoding: TextEncoding) -> BinlogValue {
        switch encoding {
        case .utf8: .text(String(decoding: bytes, as: UTF8.self))
        case .latin1: .text(decodeLatin1(bytes))
        case .binary, .unspecified, .other: .bytes(Array(bytes))
        }
    }
}

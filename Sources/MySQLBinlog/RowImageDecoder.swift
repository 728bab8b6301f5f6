/// A rows event's columns-present bitmap and how many columns it has set: the count sizes
/// each row's null bitmap, and is the same for every row of the event, so it is counted once.
struct PresentColumns {
    let bitmap: UnsafeRawBufferPointer
    let count: Int

    init(bitmap: UnsafeRawBufferPointer, columnCount: Int) {
        self.bitmap = bitmap
        var count = 0
        for byte in bitmap {
            count += byte.nonzeroBitCount
        }
        // Bits past the last column in the last byte are not columns.
        let overflow = bitmap.count * 8 - columnCount
        if overflow > 0, let last = bitmap.last {
            count -= (last >> (8 - overflow)).nonzeroBitCount
        }
        self.count = count
    }
}

/// Reads one row image: the null bitmap over the present columns, then each present, non-NULL
/// value in column order.
enum RowImageDecoder {
    static func decode(
        _ reader: inout ByteReader, plan: RowDecodingPlan, present: PresentColumns
    ) throws -> [BinlogValue] {
        try plan.decodings.withUnsafeBufferPointer { decodings in
            try decode(&reader, decodings: decodings, members: plan.members, present: present)
        }
    }

    static func decode(
        _ reader: inout ByteReader, decodings columns: UnsafeBufferPointer<ColumnDecoding>, members: [[String]?],
        present presentColumns: PresentColumns
    ) throws -> [BinlogValue] {
        let present = presentColumns.bitmap
        let presentCount = presentColumns.count
        let nulls = try reader.readBytes((presentCount + 7) / 8)
        // The one allocation of a row: its values, each written straight into its slot. A value
        // returned from a call and then appended went through a stack temporary, and reloading
        // those 64 bytes right after they were stored stalled (perf: half of this loop's time).
        // If a value throws, the slots written so far are counted and released.
        return try [BinlogValue](unsafeUninitializedCapacity: columns.count) { values, initialized in
            guard let slots = values.baseAddress else { return }
            var presentIndex = 0
            for index in columns.indices {
                let slot = slots + index
                if present[index >> 3] & (1 << (index & 7)) == 0 {
                    slot.initialize(to: .absent)
                } else {
                    if nulls[presentIndex >> 3] & (1 << (presentIndex & 7)) != 0 {
                        slot.initialize(to: .null)
                    } else {
                        try value(&reader, decoding: columns[index], members: members, index: index, into: slot)
                    }
                    presentIndex += 1
                }
                initialized = index + 1
            }
        }
    }

    /// Reads one value and initializes `slot` with it; leaves `slot` uninitialized if it throws.
    @inline(__always)
    static func value(
        _ reader: inout ByteReader, decoding: ColumnDecoding, members allMembers: [[String]?], index: Int,
        into slot: UnsafeMutablePointer<BinlogValue>
    ) throws {
        switch decoding {
        case .signed(let bytes):
            slot.initialize(to: .int(try reader.readInt(byteCount: bytes)))
        case .unsigned(let bytes):
            slot.initialize(to: .uint(try reader.readUInt(byteCount: bytes)))
        case .float:
            slot.initialize(to: .float(Float(bitPattern: try reader.readUInt32())))
        case .double:
            slot.initialize(to: .double(Double(bitPattern: try reader.readUInt64())))
        case .decimal(let precision, let scale):
            slot.initialize(to: .decimal(try DecimalValue.read(&reader, precision: precision, scale: scale)))
        case .bit(let bits):
            slot.initialize(to: .bits(try reader.readUIntBigEndian(byteCount: (bits + 7) / 8), width: bits))
        case .year:
            let year = Int(try reader.readUInt8())
            slot.initialize(to: .year(year == 0 ? 0 : 1900 + year))
        case .date:
            slot.initialize(to: .date(try TemporalValue.date(&reader)))
        case .time:
            slot.initialize(to: .time(try TemporalValue.time(&reader)))
        case .time2(let fsp):
            slot.initialize(to: .time(try TemporalValue.time2(&reader, fsp: fsp)))
        case .dateTime:
            slot.initialize(to: .dateTime(try TemporalValue.dateTime(&reader)))
        case .dateTime2(let fsp):
            slot.initialize(to: .dateTime(try TemporalValue.dateTime2(&reader, fsp: fsp)))
        case .timestamp:
            slot.initialize(to: .timestamp(try TemporalValue.timestamp(&reader)))
        case .timestamp2(let fsp):
            slot.initialize(to: .timestamp(try TemporalValue.timestamp2(&reader, fsp: fsp)))
        case .string(let lengthBytes, let encoding, let padBinaryTo):
            let bytes = try reader.readLengthPrefixedBytes(lengthBytes: lengthBytes)
            if let padBinaryTo, bytes.count < padBinaryTo {
                // BINARY(n) is stored without its trailing zero bytes (`Field_string::pack`
                // strips the pad character); SELECT returns all n bytes.
                var padded = Array(bytes)
                padded.append(contentsOf: repeatElement(0, count: padBinaryTo - bytes.count))
                slot.initialize(to: .bytes(padded))
                return
            }
            text(bytes, encoding: encoding, into: slot)
        case .blob(let lengthBytes, let encoding):
            text(try reader.readLengthPrefixedBytes(lengthBytes: lengthBytes), encoding: encoding, into: slot)
        case .json(let lengthBytes):
            let bytes = try reader.readLengthPrefixedBytes(lengthBytes: lengthBytes)
            do {
                slot.initialize(to: .json(try MySQLJSON.text(bytes)))
            } catch is ShortRead {
                throw BinlogDecodeError.Reason.malformed("binary JSON of column \(index + 1)")
            } catch {
                throw BinlogDecodeError.Reason.malformed("binary JSON of column \(index + 1)")
            }
        case .geometry(let lengthBytes):
            slot.initialize(to: .bytes(Array(try reader.readLengthPrefixedBytes(lengthBytes: lengthBytes))))
        case .enumeration(let bytes):
            let number = Int(try reader.readUInt(byteCount: bytes))
            guard let members = allMembers[index] else {
                slot.initialize(to: .enumIndex(number))
                return
            }
            if number == 0 {
                slot.initialize(to: .enumeration(""))
                return
            }
            guard number <= members.count else {
                throw BinlogDecodeError.Reason.malformed("ENUM index \(number) of column \(index + 1) beyond its \(members.count) members")
            }
            slot.initialize(to: .enumeration(members[number - 1]))
        case .set(let bytes):
            let mask = try reader.readUInt(byteCount: bytes)
            guard let members = allMembers[index] else {
                slot.initialize(to: .setBits(mask))
                return
            }
            var chosen: [String] = []
            for bit in 0..<min(members.count, 64) where mask & (1 << UInt64(bit)) != 0 {
                chosen.append(members[bit])
            }
            slot.initialize(to: .set(chosen))
        case .null:
            slot.initialize(to: .null)
        case .unsupported(let typeCode):
            throw BinlogDecodeError.Reason.unsupportedColumnType(column: index, typeCode: typeCode)
        }
    }

    @inline(__always)
    static func text(_ bytes: UnsafeRawBufferPointer, encoding: TextEncoding, into slot: UnsafeMutablePointer<BinlogValue>) {
        switch encoding {
        case .utf8: slot.initialize(to: .text(String(decoding: bytes, as: UTF8.self)))
        case .latin1: slot.initialize(to: .text(decodeLatin1(bytes)))
        case .binary, .unspecified, .other: slot.initialize(to: .bytes(Array(bytes)))
        }
    }
}

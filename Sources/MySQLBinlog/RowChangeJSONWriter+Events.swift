import Directory

extension RowChangeJSONWriter {
    /// Appends the start of the line of each row change of `rows` (as
    /// ``appendStart(of:to:columns:)`` writes it for the decoded change, byte for byte), and
    /// after each the offset in `out` where it ends.
    ///
    /// Values are written from the event's bytes as they lie: integers, DECIMAL, DATETIME2,
    /// TIMESTAMP2 and well-formed UTF-8 text make no value, array or string on the way (the
    /// decoded path made an array per image and a string per text longer than 15 bytes, and
    /// destroying them took about a sixth of the writing thread's samples). Other types go
    /// through the value they decode to, one at a time.
    public mutating func appendStarts(
        of rows: UndecodedRows, to out: inout ByteOutput, ends: inout [Int]
    ) throws(BinlogDecodeError) {
        let table = rows.table
        let shape = shape(schema: table.schema, table: table.table, names: rows.columnNames) { table.columns }
        let plan: ImagePlan
        if let made = shape.imagePlan, made.decodings == table.plan.decodings {
            plan = made
        } else {
            plan = ImagePlan(shape: shape, decodings: table.plan.decodings)
            shape.imagePlan = plan
        }
        let kind = rows.kind
        let members = table.plan.members
        try rows.event.withRowImages(using: table) { reader, present, presentAfter, decodings throws in
            try plan.keys.withUnsafeBufferPointer { keys in
                try plan.columns.withUnsafeBufferPointer { columns in
                    let image = ImageWriter(keys: keys, columns: columns, decodings: decodings, members: members)
                    while !reader.isAtEnd {
                        out.append(shape.head)
                        out.append(utf8: kind.rawValue)
                        out.append("\",\"before\":")
                        switch kind {
                        case .insert:
                            out.append("null,\"after\":")
                            try image.append(&reader, present: present, to: &out)
                        case .update:
                            try image.append(&reader, present: present, to: &out)
                            out.append(",\"after\":")
                            try image.append(&reader, present: presentAfter, to: &out)
                        case .delete:
                            try image.append(&reader, present: present, to: &out)
                            out.append(",\"after\":null")
                        }
                        ends.append(out.count)
                    }
                }
            }
        }
    }
}

/// How each column of a table's row images is written from the bytes: its key, and what its
/// value takes, worked out once per table shape rather than per value.
struct ImagePlan {
    struct Column {
        enum Value {
            case signed(bytes: Int)
            case unsigned(bytes: Int)
            case decimal(precision: Int, scale: Int)
            /// Text in UTF-8 behind a length of this many bytes (not a JSON document).
            case utf8Text(lengthBytes: Int)
            case dateTime2(fsp: Int)
            case timestamp2(fsp: Int)
            /// Through the decoded value (``RowChangeJSON``).
            case decoded
        }

        var value: Value
        /// `,"name":` in ``ImagePlan/keys`` (the first column written leaves out the comma).
        var keyStart: Int
        var keyEnd: Int
        var holdsJSONText: Bool
        var fraction: TemporalText.Fraction
    }

    /// The decodings the plan was made for (a new TABLE_MAP of the same names may differ).
    let decodings: [ColumnDecoding]
    let columns: [Column]
    /// Every column's `,"name":`, and `,"@N":` for columns past the names, as mysqlbinlog
    /// names them: the comma that separates it from the column before comes with the key.
    let keys: [UInt8]

    init(shape: RowChangeJSONWriter.Shape, decodings: [ColumnDecoding]) {
        self.decodings = decodings
        var keys = ByteOutput()
        var columns: [Column] = []
        columns.reserveCapacity(decodings.count)
        for (index, decoding) in decodings.enumerated() {
            let keyStart = keys.count
            keys.append(UInt8(ascii: ","))
            shape.appendKey(at: index, to: &keys)
            let holdsJSONText = shape.holdsJSONText(at: index)
            let fraction = shape.fraction(at: index)
            let value: Column.Value
            switch decoding {
            case .signed(let bytes): value = .signed(bytes: bytes)
            case .unsigned(let bytes): value = .unsigned(bytes: bytes)
            case .decimal(let precision, let scale): value = .decimal(precision: precision, scale: scale)
            case .string(let lengthBytes, .utf8, nil) where !holdsJSONText, .blob(let lengthBytes, .utf8) where !holdsJSONText:
                value = .utf8Text(lengthBytes: lengthBytes)
            case .dateTime2(let fsp): value = .dateTime2(fsp: fsp)
            case .timestamp2(let fsp): value = .timestamp2(fsp: fsp)
            default: value = .decoded
            }
            columns.append(
                Column(value: value, keyStart: keyStart, keyEnd: keys.count, holdsJSONText: holdsJSONText, fraction: fraction))
        }
        self.columns = columns
        self.keys = keys.bytes
    }
}

/// Writes one row image as a JSON object straight from its bytes.
private struct ImageWriter {
    let keys: UnsafeBufferPointer<UInt8>
    let columns: UnsafeBufferPointer<ImagePlan.Column>
    let decodings: UnsafeBufferPointer<ColumnDecoding>
    let members: [[String]?]

    /// The image's object: the null bitmap over the present columns, then each present
    /// column's key and value (NULL for a null one), columns absent from a partial image left out.
    func append(_ reader: inout ByteReader, present: PresentColumns, to out: inout ByteOutput) throws {
        let nulls = try reader.readBytes((present.count + 7) / 8)
        let bitmap = present.bitmap
        out.append(UInt8(ascii: "{"))
        var presentIndex = 0
        for index in columns.indices where bitmap[index >> 3] & (1 << (index & 7)) != 0 {
            // Read in place: a column's plan is some fifty bytes, and a row has a dozen. (Within
            // the loop there are columns, and so keys.)
            let column = columns.baseAddress.unsafelyUnwrapped + index
            let keyStart = presentIndex == 0 ? column.pointee.keyStart + 1 : column.pointee.keyStart
            let key = keys.baseAddress.unsafelyUnwrapped + keyStart
            out.append(UnsafeBufferPointer(start: key, count: column.pointee.keyEnd - keyStart))
            if nulls[presentIndex >> 3] & (1 << (presentIndex & 7)) != 0 {
                out.append("null")
            } else {
                try appendValue(&reader, column, index: index, to: &out)
            }
            presentIndex += 1
        }
        out.append(UInt8(ascii: "}"))
    }

    @inline(__always)
    private func appendValue(
        _ reader: inout ByteReader, _ column: UnsafePointer<ImagePlan.Column>, index: Int, to out: inout ByteOutput
    ) throws {
        switch column.pointee.value {
        case .signed(let bytes):
            ByteText.appendInteger(try reader.readInt(byteCount: bytes), to: &out)
        case .unsigned(let bytes):
            ByteText.appendInteger(try reader.readUInt(byteCount: bytes), to: &out)
        case .decimal(let precision, let scale):
            try DecimalValue.appendQuoted(&reader, precision: precision, scale: scale, to: &out)
        case .utf8Text(let lengthBytes):
            ByteText.appendQuotedUTF8(try reader.readLengthPrefixedBytes(lengthBytes: lengthBytes), to: &out)
        case .dateTime2(let fsp):
            out.append(ByteText.quote)
            ByteText.appendDateTime(try TemporalValue.dateTime2(&reader, fsp: fsp), fraction: column.pointee.fraction, to: &out)
            out.append(ByteText.quote)
        case .timestamp2(let fsp):
            let value = try TemporalValue.timestamp2(&reader, fsp: fsp)
            out.append(ByteText.quote)
            ByteText.appendDateTime(value, fraction: column.pointee.fraction, to: &out)
            // The zero timestamp is no instant: it prints as the zero date-time, without `Z`.
            if value.date.month != 0 { out.append(UInt8(ascii: "Z")) }
            out.append(ByteText.quote)
        case .decoded:
            try withUnsafeTemporaryAllocation(of: BinlogValue.self, capacity: 1) { slots in
                let slot = slots.baseAddress.unsafelyUnwrapped
                try RowImageDecoder.value(&reader, decoding: decodings[index], members: members, index: index, into: slot)
                _ = RowChangeJSON.append(
                    slot, holdsJSONText: column.pointee.holdsJSONText, fraction: column.pointee.fraction, to: &out)
                slot.deinitialize(count: 1)
            }
        }
    }
}

import Directory

extension RowChangeJSONWriter {
    /// Appends the start of the line of each row change of `rows` (as
    /// ``appendStart(of:to:columns:)`` writes it for the decoded change, byte for byte), and
    /// after each the offset in `out` where it ends.
    ///
    /// Values are written from the event's bytes as they lie: integers, DECIMAL, DATETIME2,
    /// TIMESTAMP2 and well-formed UTF-8 text make no value, array or string on the way (the
    /// decoded path made an array per image and a string per text longer than 15 bytes, and
    /// freeing them on the writing thread was a fifth of its time). Other types go through the
    /// value they decode to, one at a time.
    public mutating func appendStarts(
        of rows: UndecodedRows, to out: inout ByteOutput, ends: inout [Int]
    ) throws(BinlogDecodeError) {
        let table = rows.table
        let shape = shape(schema: table.schema, table: table.table, names: rows.columnNames) { table.columns }
        let kind = rows.kind
        let members = table.plan.members
        try rows.event.withRowImages(using: table) { reader, present, presentAfter, decodings throws in
            try shape.keys.withUnsafeBufferPointer { keys in
                let image = ImageWriter(shape: shape, keys: keys, decodings: decodings, members: members)
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

/// Writes one row image as a JSON object straight from its bytes.
private struct ImageWriter {
    let shape: RowChangeJSONWriter.Shape
    let keys: UnsafeBufferPointer<UInt8>
    let decodings: UnsafeBufferPointer<ColumnDecoding>
    let members: [[String]?]

    /// The image's object: the null bitmap over the present columns, then each present
    /// column's key and value (NULL for a null one), columns absent from a partial image left out.
    func append(_ reader: inout ByteReader, present: PresentColumns, to out: inout ByteOutput) throws {
        let nulls = try reader.readBytes((present.count + 7) / 8)
        let bitmap = present.bitmap
        out.append(UInt8(ascii: "{"))
        var presentIndex = 0
        for index in decodings.indices where bitmap[index >> 3] & (1 << (index & 7)) != 0 {
            if presentIndex > 0 { out.append(UInt8(ascii: ",")) }
            appendKey(index, to: &out)
            if nulls[presentIndex >> 3] & (1 << (presentIndex & 7)) != 0 {
                out.append("null")
            } else {
                try appendValue(&reader, index: index, to: &out)
            }
            presentIndex += 1
        }
        out.append(UInt8(ascii: "}"))
    }

    @inline(__always)
    private func appendKey(_ index: Int, to out: inout ByteOutput) {
        guard index < shape.keyEnds.count else {
            // More values than names: named by position, as mysqlbinlog does.
            ByteText.appendQuoted("@\(index + 1)", to: &out)
            out.append(UInt8(ascii: ":"))
            return
        }
        let start = index == 0 ? 0 : shape.keyEnds[index - 1]
        out.append(UnsafeBufferPointer(rebasing: keys[start..<shape.keyEnds[index]]))
    }

    @inline(__always)
    private func appendValue(_ reader: inout ByteReader, index: Int, to out: inout ByteOutput) throws {
        let named = index < shape.keyEnds.count
        let holdsJSONText = named ? shape.holdsJSONText[index] : shape.column(at: index)?.holdsJSONText == true
        let fraction: TemporalText.Fraction =
            named ? shape.fractions[index] : shape.column(at: index).map { .digits($0.scale) } ?? .shortest
        switch decodings[index] {
        case .signed(let bytes):
            ByteText.appendInteger(try reader.readInt(byteCount: bytes), to: &out)
        case .unsigned(let bytes):
            ByteText.appendInteger(try reader.readUInt(byteCount: bytes), to: &out)
        case .decimal(let precision, let scale):
            try DecimalValue.appendQuoted(&reader, precision: precision, scale: scale, to: &out)
        case .string(let lengthBytes, .utf8, nil) where !holdsJSONText, .blob(let lengthBytes, .utf8) where !holdsJSONText:
            ByteText.appendQuotedUTF8(try reader.readLengthPrefixedBytes(lengthBytes: lengthBytes), to: &out)
        case .dateTime2(let fsp):
            out.append(ByteText.quote)
            ByteText.appendDateTime(try TemporalValue.dateTime2(&reader, fsp: fsp), fraction: fraction, to: &out)
            out.append(ByteText.quote)
        case .timestamp2(let fsp):
            let value = try TemporalValue.timestamp2(&reader, fsp: fsp)
            out.append(ByteText.quote)
            ByteText.appendDateTime(value, fraction: fraction, to: &out)
            // The zero timestamp is no instant: it prints as the zero date-time, without `Z`.
            if value.date.month != 0 { out.append(UInt8(ascii: "Z")) }
            out.append(ByteText.quote)
        case let decoding:
            try withUnsafeTemporaryAllocation(of: BinlogValue.self, capacity: 1) { slots in
                let slot = slots.baseAddress.unsafelyUnwrapped
                try RowImageDecoder.value(&reader, decoding: decoding, members: members, index: index, into: slot)
                _ = RowChangeJSON.append(slot, holdsJSONText: holdsJSONText, fraction: fraction, to: &out)
                slot.deinitialize(count: 1)
            }
        }
    }
}

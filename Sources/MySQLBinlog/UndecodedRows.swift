import Directory

/// The row changes of one rows event kept as the event's bytes, with the TABLE_MAP they decode
/// with: for a reader that turns rows into text straight from those bytes (`scimsync tail`,
/// ``RowChangeJSONWriter/appendStarts(of:to:ends:)``), making no value, array or string per row.
///
/// An assembler keeps rows so with ``TransactionAssembler/keepsRowsUndecoded``; the images
/// were walked once to count them, so a truncated image has already been reported.
public struct UndecodedRows: Sendable, Hashable {
    public let event: RowsEvent
    /// The TABLE_MAP the rows were written with (a later one may replace it before the rows
    /// are read).
    public let table: TableMapEvent
    /// The table map's column names (`@1`, `@2`, … when it had none), one array per table for
    /// as long as its map stands, so that its storage identifies the table's shape.
    public let columnNames: [String]
    /// How many row changes the event holds.
    public let count: Int

    public init(event: RowsEvent, table: TableMapEvent, columnNames: [String], count: Int) {
        self.event = event
        self.table = table
        self.columnNames = columnNames
        self.count = count
    }

    public var kind: RowChange.Kind { event.kind.rowChangeKind }
}

extension RowsEvent {
    /// How many row changes the event holds, counted by walking its images with the columns of
    /// `table` without decoding a value: each value's length is known from its column's type,
    /// or from its length prefix.
    public func rowCount(using table: TableMapEvent) throws(BinlogDecodeError) -> Int {
        try withRowImages(using: table) { reader, present, presentAfter, decodings throws in
            try table.plan.widths.withUnsafeBufferPointer { widths in
                var count = 0
                while !reader.isAtEnd {
                    try RowImageDecoder.skip(&reader, widths: widths, decodings: decodings, present: present)
                    if kind == .update {
                        try RowImageDecoder.skip(&reader, widths: widths, decodings: decodings, present: presentAfter)
                    }
                    count += 1
                }
                return count
            }
        }
    }

    /// Runs `body` over the row images with a reader at the first one, the present-columns
    /// bitmaps and the columns' decodings; checks the table first, and turns what `body`
    /// throws into a ``BinlogDecodeError`` at this event.
    func withRowImages<R>(
        using table: TableMapEvent,
        _ body: (inout ByteReader, PresentColumns, PresentColumns, UnsafeBufferPointer<ColumnDecoding>) throws -> R
    ) throws(BinlogDecodeError) -> R {
        guard table.tableID == tableID else {
            throw error(.unknownTableID(tableID), at: nil)
        }
        guard table.columns.count == columnCount else {
            throw error(.columnCountMismatch(tableMap: table.columns.count, rowsEvent: columnCount), at: nil)
        }
        do {
            return try event.withUnsafeBytes { bytes in
                try table.plan.decodings.withUnsafeBufferPointer { decodings in
                    var reader = ByteReader(bytes, offset: rowsOffset)
                    let bitmapLength = (columnCount + 7) / 8
                    let present = PresentColumns(
                        bitmap: UnsafeRawBufferPointer(rebasing: bytes[presentOffset..<(presentOffset + bitmapLength)]),
                        columnCount: columnCount)
                    let presentAfter = PresentColumns(
                        bitmap: UnsafeRawBufferPointer(
                            rebasing: bytes[presentAfterOffset..<(presentAfterOffset + bitmapLength)]),
                        columnCount: columnCount)
                    return try body(&reader, present, presentAfter, decodings)
                }
            }
        } catch let short as ShortRead {
            throw error(.truncated(offset: short.offset, needed: short.needed, available: short.available), at: nil)
        } catch let reason as BinlogDecodeError.Reason {
            throw error(reason, at: nil)
        } catch {
            throw self.error(.malformed("row image"), at: nil)
        }
    }
}

extension RowImageDecoder {
    /// Moves `reader` past one row image without decoding its values, each column's value
    /// taking its ``ColumnDecoding/storedWidth``; `decodings` give the error its column's type
    /// when that cannot be read.
    static func skip(
        _ reader: inout ByteReader, widths: UnsafeBufferPointer<Int>, decodings: UnsafeBufferPointer<ColumnDecoding>,
        present: PresentColumns
    ) throws {
        if skipWhole(&reader, widths: widths, present: present) { return }
        try skipChecked(&reader, widths: widths, decodings: decodings, present: present)
    }

    /// ``skip(_:widths:decodings:present:)`` for an image that lies whole within the bytes,
    /// with no column of a type that cannot be read: one bounds check per value on a plain
    /// offset. False, with the reader where it was, for any other image, which the caller
    /// walks again value by value to say what is wrong with it.
    @inline(__always)
    private static func skipWhole(_ reader: inout ByteReader, widths: UnsafeBufferPointer<Int>, present: PresentColumns) -> Bool {
        let end = reader.bytes.count
        var offset = reader.offset
        let nullBytes = (present.count + 7) / 8
        guard let base = reader.bytes.baseAddress, nullBytes <= end - offset else { return false }
        let nulls = base + offset
        offset += nullBytes
        let bitmap = present.bitmap
        var presentIndex = -1
        for index in widths.indices where bitmap[index >> 3] & (1 << (index & 7)) != 0 {
            presentIndex += 1
            if nulls.load(fromByteOffset: presentIndex >> 3, as: UInt8.self) & (1 << (presentIndex & 7)) != 0 { continue }
            let width = widths[index]
            if width >= 0 {
                guard width <= end - offset else { return false }
                offset += width
                continue
            }
            // A length of -width bytes (1 to 4), little-endian, then that many bytes.
            guard width != ColumnDecoding.unsupportedWidth else { return false }
            let lengthBytes = -width
            guard lengthBytes <= end - offset else { return false }
            var length: Int
            // VARCHARs: one byte of length up to 255 bytes, two above (a VARCHAR(64) of
            // utf8mb4 already takes two).
            if lengthBytes == 2 {
                length = Int(UInt16(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt16.self)))
            } else if lengthBytes == 1 {
                length = Int(base.load(fromByteOffset: offset, as: UInt8.self))
            } else {
                length = 0
                for place in 0..<lengthBytes {
                    length |= Int(base.load(fromByteOffset: offset + place, as: UInt8.self)) << (place * 8)
                }
            }
            offset += lengthBytes
            guard length <= end - offset else { return false }
            offset += length
        }
        reader.offset = offset
        return true
    }

    /// ``skip(_:widths:decodings:present:)`` through the reader's checked reads, which throw
    /// what a truncated image or an unreadable type is.
    private static func skipChecked(
        _ reader: inout ByteReader, widths: UnsafeBufferPointer<Int>, decodings: UnsafeBufferPointer<ColumnDecoding>,
        present: PresentColumns
    ) throws {
        let nulls = try reader.readBytes((present.count + 7) / 8)
        var presentIndex = 0
        for index in widths.indices where present.bitmap[index >> 3] & (1 << (index & 7)) != 0 {
            defer { presentIndex += 1 }
            if nulls[presentIndex >> 3] & (1 << (presentIndex & 7)) != 0 { continue }
            let width = widths[index]
            if width >= 0 {
                try reader.skip(width)
            } else if width != ColumnDecoding.unsupportedWidth {
                _ = try reader.readLengthPrefixedBytes(lengthBytes: -width)
            } else {
                var typeCode: UInt8 = 0
                if case .unsupported(let code) = decodings[index] { typeCode = code }
                throw BinlogDecodeError.Reason.unsupportedColumnType(column: index, typeCode: typeCode)
            }
        }
    }
}

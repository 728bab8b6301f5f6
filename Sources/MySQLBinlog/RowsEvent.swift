import Directory

/// WRITE/UPDATE/DELETE_ROWS events: v1 (types 23–25, what MariaDB writes) and v2 (types
/// 30–32, MySQL 5.6+).
///
/// Post-header: table_id(6) flags(2), and in v2 extra_data_length(2, counting itself) and the
/// extra data. Body: column count (packed), the columns-present bitmap, for updates a second
/// bitmap for the after image, then the row images back to back. Each image is a null bitmap
/// over the present columns followed by the values of the present, non-NULL columns
/// (MySQL `rows_event.h`, `Rows_event`).
///
/// The images are kept undecoded (a slice of the event bytes, no copy) until ``rows(using:)``
/// is called, so rows of tables nobody wants cost nothing to skip.
public struct RowsEvent: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case write, update, delete
    }

    public var header: BinlogEventHeader
    /// Where the event starts, for errors.
    public var position: BinlogPosition
    public var kind: Kind
    /// 1 for MariaDB/MySQL 5.1–5.5 events, 2 for MySQL 5.6+.
    public var version: Int
    public var tableID: UInt64
    public var flags: UInt16
    public var columnCount: Int
    /// `STMT_END_F`: the last rows event of the statement.
    public var isStatementEnd: Bool { flags & 1 != 0 }

    /// The event bytes without checksum, shared with the caller's buffer.
    let event: ArraySlice<UInt8>
    /// Offsets into `event` (from its start): the before/only present-columns bitmap, the
    /// after-image bitmap (updates), and the first row image.
    let presentOffset: Int
    let presentAfterOffset: Int
    let rowsOffset: Int

    static func decode(
        header: BinlogEventHeader, body reader: inout ByteReader, format: FormatDescriptionEvent, kind: Kind,
        version: Int, event: ArraySlice<UInt8>, position: BinlogPosition
    ) throws -> RowsEvent {
        let type = header.type ?? .writeRowsV1
        let postHeader = format.postHeaderLength(of: type) ?? (version == 2 ? 10 : 8)
        let start = reader.offset
        let tableID = try reader.readUInt(byteCount: postHeader == 6 ? 4 : 6)
        let flags = try reader.readUInt16()
        if version == 2 {
            let extraLength = Int(try reader.readUInt16())
            guard extraLength >= 2 else {
                throw BinlogDecodeError.Reason.malformed("rows event extra data length \(extraLength) is below 2")
            }
            try reader.skip(extraLength - 2)
        }
        try reader.skip(max(0, postHeader - (reader.offset - start)))
        // A count of columns, not of bytes: the bitmaps that follow take one bit per column,
        // so the count may well exceed the bytes left (28 all-NULL columns fit in 13 bytes).
        let countOffset = reader.offset
        let rawCount = try reader.readLengthEncodedInt()
        guard rawCount <= 4096 else {
            // MySQL and MariaDB allow at most 4096 columns per table.
            throw BinlogDecodeError.Reason.malformed("rows event column count \(rawCount) at offset \(countOffset)")
        }
        let columnCount = Int(rawCount)
        let bitmapLength = (columnCount + 7) / 8
        let presentOffset = reader.offset
        try reader.skip(bitmapLength)
        var presentAfterOffset = presentOffset
        if kind == .update {
            presentAfterOffset = reader.offset
            try reader.skip(bitmapLength)
        }
        return RowsEvent(
            header: header, position: position, kind: kind, version: version, tableID: tableID, flags: flags,
            columnCount: columnCount, event: event, presentOffset: presentOffset,
            presentAfterOffset: presentAfterOffset, rowsOffset: reader.offset
        )
    }

    /// Decodes the row images with the columns of `table` (the TABLE_MAP with this event's
    /// table id).
    public func rows(using table: TableMapEvent) throws(BinlogDecodeError) -> [RowImages] {
        try withRowImages(using: table) { reader, present, presentAfter, _ throws in
            var result: [RowImages] = []
            while !reader.isAtEnd {
                let start = reader.offset
                let first = try RowImageDecoder.decode(&reader, plan: table.plan, present: present)
                switch kind {
                case .write: result.append(RowImages(before: nil, after: first))
                case .delete: result.append(RowImages(before: first, after: nil))
                case .update:
                    let second = try RowImageDecoder.decode(&reader, plan: table.plan, present: presentAfter)
                    result.append(RowImages(before: first, after: second))
                }
                if result.count == 1, !reader.isAtEnd {
                    // Rows of one event are alike in size: size the array from the first
                    // one instead of growing it (and copying it) row by row.
                    result.reserveCapacity(1 + reader.remaining / (reader.offset - start) + 1)
                }
            }
            return result
        }
    }

    func error(_ reason: BinlogDecodeError.Reason, at: Int?) -> BinlogDecodeError {
        BinlogDecodeError(
            reason: reason, position: position, eventTypeCode: header.typeCode, leadingBytes: Array(event.prefix(64))
        )
    }
}

/// The before and after images of one changed row: `before` nil for inserts, `after` nil for
/// deletes. Each has one value per table column.
public struct RowImages: Sendable, Hashable {
    public var before: [BinlogValue]?
    public var after: [BinlogValue]?

    public init(before: [BinlogValue]?, after: [BinlogValue]?) {
        self.before = before
        self.after = after
    }
}

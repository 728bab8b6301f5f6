import Directory

/// Writes ``RowChangeJSON`` lines, one per row change and each ending in a newline, into a
/// byte buffer the caller reuses.
///
/// What a line shares with its neighbours is prepared once: the end of every line of a
/// transaction (position, GTID, commit time) once per transaction, and a table's name and
/// quoted column names once per table shape. A row then costs its values only, written
/// straight as bytes with no `String` in between.
public struct RowChangeJSONWriter {
    /// What the lines of one table shape share (a class: a row takes it with one retain).
    final class Shape {
        let schema: String
        let table: String
        /// The change's column names, kept: their storage identifies the shape (while it is
        /// kept, no other array can be given the same storage).
        let names: [String]
        /// `{"table":"db.tbl","op":"`.
        let head: [UInt8]
        /// `"name":` of every column, one after the other; key `i` ends at `keyEnds[i]`.
        let keys: [UInt8]
        let keyEnds: [Int]
        /// Per column: a MariaDB JSON column (its text printed as the document)?
        let holdsJSONText: [Bool]
        /// Per column: the fractional-second digits of its temporal values.
        let fractions: [TemporalText.Fraction]
        /// The table map's columns, for values past the names.
        let columns: [BinlogColumn]?
        /// How each column of a rows event's images is written, made the first time rows of
        /// this shape are written from their event's bytes (``RowChangeJSONWriter/appendStarts(of:to:ends:)``).
        var imagePlan: ImagePlan?

        init(
            schema: String, table: String, names: [String], head: [UInt8], keys: [UInt8], keyEnds: [Int],
            holdsJSONText: [Bool], fractions: [TemporalText.Fraction], columns: [BinlogColumn]?
        ) {
            self.schema = schema
            self.table = table
            self.names = names
            self.head = head
            self.keys = keys
            self.keyEnds = keyEnds
            self.holdsJSONText = holdsJSONText
            self.fractions = fractions
            self.columns = columns
        }

        /// The column at `index` of the table map, if it has one.
        func column(at index: Int) -> BinlogColumn? {
            columns.flatMap { index < $0.count ? $0[index] : nil }
        }

        /// Appends `"name":` of the column at `index`; past the names, `"@N":` (1-based), as
        /// mysqlbinlog names a column it has no name for.
        func appendKey(at index: Int, to out: inout ByteOutput) {
            guard index < keyEnds.count else {
                ByteText.appendQuoted("@\(index + 1)", to: &out)
                out.append(UInt8(ascii: ":"))
                return
            }
            let start = index == 0 ? 0 : keyEnds[index - 1]
            keys.withUnsafeBufferPointer { out.append(UnsafeBufferPointer(rebasing: $0[start..<keyEnds[index]])) }
        }

        /// Whether the column at `index` is a MariaDB JSON column (also past the names).
        func holdsJSONText(at index: Int) -> Bool {
            index < holdsJSONText.count ? holdsJSONText[index] : column(at: index)?.holdsJSONText == true
        }

        /// The fractional-second digits of the column at `index` (also past the names).
        func fraction(at index: Int) -> TemporalText.Fraction {
            index < fractions.count ? fractions[index] : column(at: index).map { .digits($0.scale) } ?? .shortest
        }
    }

    /// Shapes by their names' storage address.
    private var shapes: [Int: Shape] = [:]
    /// The last shape used, and its key: rows of one table come in runs.
    private var lastShape: (key: Int, shape: Shape)?
    /// `,"position":"…","gtid":…,"ts":"…"}` and the newline.
    private var lineEnd: [UInt8] = []
    /// The last binlog file named, and its escaped text.
    private var lastFile: (name: String, text: [UInt8])?
    /// The last commit time written, and its quoted text.
    private var lastCommitTimestamp: (seconds: UInt32, text: [UInt8])?

    /// Table shapes kept at most; past that the cache starts again (tables come and go with
    /// DDL, and a replica may read thousands of tables).
    static let maxShapes = 256

    public init() {}

    /// The changes appended next belong to the transaction (or part of one) that ends at
    /// `position`, with this GTID and commit time.
    public mutating func transactionStarted(position: BinlogPosition, gtid: String?, commitTimestamp: UInt32) {
        var end = ByteOutput(capacity: 128)
        // `"file:offset"`: the text of `position.description`, quoted.
        end.append(",\"position\":\"")
        if position.file != lastFile?.name { lastFile = (position.file, ByteText.quotedPart(position.file)) }
        end.append(lastFile?.text ?? [])
        end.append(UInt8(ascii: ":"))
        ByteText.appendInteger(position.offset, to: &end)
        end.append("\",\"gtid\":")
        if let gtid {
            ByteText.appendQuoted(gtid, to: &end)
        } else {
            end.append("null")
        }
        end.append(",\"ts\":")
        // Transactions a second apart or less share their commit time's text.
        if commitTimestamp != lastCommitTimestamp?.seconds {
            var text = ByteOutput()
            ByteText.appendQuoted(RowChangeJSON.utcText(seconds: Int64(commitTimestamp)), to: &text)
            lastCommitTimestamp = (commitTimestamp, text.bytes)
        }
        end.append(lastCommitTimestamp?.text ?? [])
        end.append("}\n")
        lineEnd = end.bytes
    }

    /// Appends the line of `change`. `columns` gives the table map's columns (for fractional
    /// digits and JSON columns); it is asked once per table shape, not per row.
    public mutating func append(
        _ change: BinlogRowChange, to out: inout ByteOutput, columns: () -> [BinlogColumn]?
    ) {
        appendStart(of: change, to: &out, columns: columns)
        appendLineEnd(to: &out)
    }

    /// Appends the line of `change` up to what the lines of its transaction share (its
    /// position, GTID and commit time), for a caller that learns those later: it ends the
    /// line with ``appendLineEnd(to:)`` once it has called ``transactionStarted(position:gtid:commitTimestamp:)``.
    public mutating func appendStart(
        of change: BinlogRowChange, to out: inout ByteOutput, columns: () -> [BinlogColumn]?
    ) {
        let shape = self.shape(of: change, columns: columns)
        out.append(shape.head)
        out.append(utf8: change.kind.rawValue)
        out.append("\",\"before\":")
        appendImage(change.before, shape: shape, to: &out)
        out.append(",\"after\":")
        appendImage(change.after, shape: shape, to: &out)
    }

    /// Ends a line begun with ``appendStart(of:to:columns:)``: the position, GTID and commit
    /// time of the last ``transactionStarted(position:gtid:commitTimestamp:)``, and the newline.
    public func appendLineEnd(to out: inout ByteOutput) {
        out.append(lineEnd)
    }

    /// A row image as an object of column name to value (columns absent from a partial image
    /// left out), or `null` for no image.
    private func appendImage(_ values: [BinlogValue]?, shape: Shape, to out: inout ByteOutput) {
        guard let values else {
            out.append("null")
            return
        }
        out.append(UInt8(ascii: "{"))
        var first = true
        // Indexed through a buffer: no copy of each value (and of its text) to look at it.
        values.withUnsafeBufferPointer { values in
            for index in values.indices {
                let value = values.baseAddress.unsafelyUnwrapped + index
                if case .absent = value.pointee { continue }
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                shape.appendKey(at: index, to: &out)
                _ = RowChangeJSON.append(
                    value, holdsJSONText: shape.holdsJSONText(at: index), fraction: shape.fraction(at: index), to: &out)
            }
        }
        out.append(UInt8(ascii: "}"))
    }

    private mutating func shape(of change: BinlogRowChange, columns: () -> [BinlogColumn]?) -> Shape {
        shape(schema: change.schema, table: change.table, names: change.columns, columns: columns)
    }

    /// The shape of a table's lines: the one made before for the same `names` array, or a new
    /// one (`columns` asked then only).
    mutating func shape(schema: String, table: String, names: [String], columns: () -> [BinlogColumn]?) -> Shape {
        let key = names.withUnsafeBufferPointer { Int(bitPattern: $0.baseAddress) }
        // Empty arrays share one storage: the table's name confirms the match.
        if let last = lastShape, last.key == key, last.shape.table == table, last.shape.schema == schema {
            return last.shape
        }
        let shape: Shape
        if let known = shapes[key], known.table == table, known.schema == schema {
            shape = known
        } else {
            if shapes.count >= Self.maxShapes { shapes.removeAll(keepingCapacity: true) }
            shape = Self.makeShape(schema: schema, table: table, names: names, columns: columns())
            shapes[key] = shape
        }
        lastShape = (key, shape)
        return shape
    }

    private static func makeShape(schema: String, table: String, names: [String], columns: [BinlogColumn]?) -> Shape {
        var head = ByteOutput()
        head.append("{\"table\":")
        ByteText.appendQuoted(schema + "." + table, to: &head)
        head.append(",\"op\":\"")
        var keys = ByteOutput()
        var keyEnds: [Int] = []
        var holdsJSONText: [Bool] = []
        var fractions: [TemporalText.Fraction] = []
        for (index, name) in names.enumerated() {
            ByteText.appendQuoted(name, to: &keys)
            keys.append(UInt8(ascii: ":"))
            keyEnds.append(keys.count)
            let column = columns.flatMap { index < $0.count ? $0[index] : nil }
            holdsJSONText.append(column?.holdsJSONText == true)
            fractions.append(column.map { .digits($0.scale) } ?? .shortest)
        }
        return Shape(
            schema: schema, table: table, names: names, head: head.bytes, keys: keys.bytes,
            keyEnds: keyEnds, holdsJSONText: holdsJSONText, fractions: fractions, columns: columns)
    }
}

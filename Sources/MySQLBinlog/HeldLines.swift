/// The lines of a part of a transaction not yet ended, each written up to what it shares with
/// the part (``RowChangeJSONWriter/appendStarts(of:to:ends:)``), one after the other, until
/// the part's end says how they end (`scimsync tail`, and the benchmark that does its work).
public struct HeldLines: ~Copyable {
    private var bytes = ByteOutput(capacity: 64 * 1024)
    /// Where each line's start ends in `bytes`.
    private var ends: [Int] = []

    public init() {}

    public var isEmpty: Bool { ends.isEmpty }

    /// Holds the start of the line of each row change of `rows`, written from the event's
    /// bytes (``RowChangeJSONWriter/appendStarts(of:to:ends:)``).
    public mutating func hold(_ rows: UndecodedRows, writer: inout RowChangeJSONWriter) throws(BinlogDecodeError) {
        try writer.appendStarts(of: rows, to: &bytes, ends: &ends)
    }

    /// Appends every held line to `out` with the end `writer` writes, handing `out` to
    /// `write` (and emptying it) whenever it holds `chunkSize` bytes or more; nothing is held
    /// afterwards.
    public mutating func print(
        ending writer: RowChangeJSONWriter, to out: inout ByteOutput, chunkSize: Int,
        write: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        try bytes.withBytes { bytes in
            let held = bytes.assumingMemoryBound(to: UInt8.self)
            var start = 0
            for end in ends {
                out.append(UnsafeBufferPointer(rebasing: held[start..<end]))
                writer.appendLineEnd(to: &out)
                start = end
                if out.count >= chunkSize {
                    try out.withBytes(write)
                    out.removeAll()
                }
            }
        }
        removeAll()
    }

    /// Forgets every held line (a part that did not commit).
    public mutating func removeAll() {
        bytes.removeAll()
        ends.removeAll(keepingCapacity: true)
    }
}

/// The lines of a part of a transaction not yet ended, each written up to what it shares with
/// the part (``RowChangeJSONWriter/appendStarts(of:to:ends:)``), one after the other, until
/// the part's end says how they end (`scimsync tail`, and the benchmark that does its work).
public struct HeldLines: ~Copyable {
    /// The starts written by ``hold(_:writer:)``.
    private var bytes = ByteOutput(capacity: 64 * 1024)
    /// Where each line's start ends in `bytes`.
    private var ends: [Int] = []
    /// The held lines in order: runs of `ends`, and of lines written elsewhere
    /// (``hold(_:lines:)``).
    private var pieces: [Piece] = []

    private enum Piece {
        case own(Range<Int>)
        case ahead(LineStarts, Range<Int>)
    }

    public init() {}

    public var isEmpty: Bool { pieces.isEmpty }

    /// Holds the start of the line of each row change of `rows`, written from the event's
    /// bytes (``RowChangeJSONWriter/appendStarts(of:to:ends:)``).
    public mutating func hold(_ rows: UndecodedRows, writer: inout RowChangeJSONWriter) throws(BinlogDecodeError) {
        let first = ends.count
        defer {
            // Whatever was written before an error too, as the bytes have it: the caller stops there.
            if ends.count > first {
                if case .own(let run)? = pieces.last, run.upperBound == first {
                    pieces[pieces.count - 1] = .own(run.lowerBound..<ends.count)
                } else {
                    pieces.append(.own(first..<ends.count))
                }
            }
        }
        try writer.appendStarts(of: rows, to: &bytes, ends: &ends)
    }

    /// Holds lines of `starts`, written by another writer, after those held.
    public mutating func hold(_ starts: LineStarts, lines: Range<Int>) {
        guard !lines.isEmpty else { return }
        pieces.append(.ahead(starts, lines))
    }

    /// Appends every held line to `out` with the end `writer` writes, handing `out` to
    /// `write` (and emptying it) whenever it holds `chunkSize` bytes or more; nothing is held
    /// afterwards.
    public mutating func print(
        ending writer: RowChangeJSONWriter, to out: inout ByteOutput, chunkSize: Int,
        write: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        let ends = self.ends
        for piece in pieces {
            switch piece {
            case .own(let lines):
                try bytes.withBytes { bytes in
                    try Self.print(lines, of: bytes, ends: ends, ending: writer, to: &out, chunkSize: chunkSize, write: write)
                }
            case .ahead(let starts, let lines):
                try starts.bytes.withBytes { bytes in
                    try Self.print(lines, of: bytes, ends: starts.ends, ending: writer, to: &out, chunkSize: chunkSize, write: write)
                }
            }
        }
        removeAll()
    }

    /// Appends `lines` of `bytes`, whose starts end at `ends`, each with its end.
    private static func print(
        _ lines: Range<Int>, of bytes: UnsafeRawBufferPointer, ends: [Int], ending writer: RowChangeJSONWriter,
        to out: inout ByteOutput, chunkSize: Int, write: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        let held = bytes.assumingMemoryBound(to: UInt8.self)
        var start = lines.lowerBound == 0 ? 0 : ends[lines.lowerBound - 1]
        for end in ends[lines] {
            out.append(UnsafeBufferPointer(rebasing: held[start..<end]))
            writer.appendLineEnd(to: &out)
            start = end
            if out.count >= chunkSize {
                try out.withBytes(write)
                out.removeAll()
            }
        }
    }

    /// Forgets every held line (a part that did not commit).
    public mutating func removeAll() {
        bytes.removeAll()
        ends.removeAll(keepingCapacity: true)
        pieces.removeAll(keepingCapacity: true)
    }
}

/// Starts of lines (``RowChangeJSONWriter/appendStarts(of:to:ends:)``) written by one task
/// and printed by another: `scimsync tail`'s reading task writes a run's lines itself when the
/// printing task is behind, and hands them on with the run.
///
/// `@unchecked Sendable`: the bytes are a non-copyable buffer that no lock guards. The writer
/// fills it before it hands it on and never touches it again; the printer only reads it.
public final class LineStarts: @unchecked Sendable {
    public let bytes: ByteOutput
    /// Where each line's start ends in `bytes`.
    public let ends: [Int]

    public init(bytes: consuming ByteOutput, ends: [Int]) {
        self.bytes = bytes
        self.ends = ends
    }
}

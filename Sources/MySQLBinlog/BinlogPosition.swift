/// A place in a server's binlog: a file name and a byte offset in it.
public struct BinlogPosition: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var offset: UInt64

    public init(file: String, offset: UInt64) {
        self.file = file
        self.offset = offset
    }

    /// `file:offset`, the form `scimsync tail` prints and accepts.
    public var description: String { "\(file):\(offset)" }
}

import SQLClients

/// Something that yields raw binlog events by blocking its thread: the replication stream, or a
/// scripted source in tests. Used by one thread at a time.
public protocol BinlogEventSource: AnyObject {
    /// The next event, blocking until there is one; nil at the end of the stream.
    func fetch() throws -> RawBinlogEvent?
    /// Makes a `fetch` blocked on another thread return (by throwing) soon; callable from any
    /// thread, also after the source is gone.
    var interrupt: @Sendable () -> Void { get }
}

extension MariaDBReplicationStream: BinlogEventSource {
    public var interrupt: @Sendable () -> Void {
        let interrupter = interrupter
        return { interrupter.interrupt() }
    }
}

/// The row changes of the open transaction, appended in amortised constant time.
///
/// A transaction's rows arrive one rows event at a time (a few rows each: the server cuts rows
/// events at `binlog_row_event_max_size`, 8 KiB by default), so a transaction of 200,000 rows
/// is 200,000 appends or more. Appending must neither copy the rows gathered so far (their
/// storage shared with another value, e.g. an enum payload still holding it) nor grow the
/// storage to the exact size needed (`reserveCapacity(count + n)` before each event): either
/// makes reading a transaction quadratic in its size.
struct RowChangeBuffer: Sendable {
    private(set) var changes: [BinlogRowChange] = []
    /// How often appending moved the changes to new storage. Growing geometrically, that is
    /// logarithmic in the count; a copy per append (shared storage, or exact reservations)
    /// makes it grow with the count. Tests check it, as a measure of linearity that needs no
    /// clock.
    private(set) var storageMoves = 0

    var count: Int { changes.count }
    var isEmpty: Bool { changes.isEmpty }

    mutating func append(_ change: BinlogRowChange) {
        let storage = changes.withUnsafeBufferPointer { $0.baseAddress }
        changes.append(change)
        if changes.withUnsafeBufferPointer({ $0.baseAddress }) != storage { storageMoves += 1 }
    }

    /// Hands the changes gathered so far on and starts again empty; with `keepingRoom`, with
    /// room for as many (the next part of a large transaction).
    mutating func take(keepingRoom: Bool) -> [BinlogRowChange] {
        let taken = changes
        changes = []
        if keepingRoom { changes.reserveCapacity(taken.count) }
        return taken
    }
}

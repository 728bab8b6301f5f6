import Directory
@testable import MySQLBinlog
import Testing

/// `scimsync tail`'s held lines when some were written by the other task (``LineStarts``):
/// printed, they are the bytes the printing task writes alone, in the same order.
@Suite struct HeldLinesTests {
    /// Prints every part of `events` as tail does; `ahead` says, per rows event in order,
    /// whether its lines come written by another writer, and then whether they are held in two
    /// ranges of the same starts rather than one.
    static func printed(_ events: [BinlogEvent], partSize: Int, ahead: (Int) -> (Bool, split: Bool)) throws -> [UInt8] {
        var assembler = TransactionAssembler(
            file: "binlog.000001", maxChangesPerPart: partSize, handsOnRowsAsRead: true, keepsRowsUndecoded: true)
        var printer = RowChangeJSONWriter()
        var other = RowChangeJSONWriter()
        var lines = HeldLines()
        var out = ByteOutput()
        var printed: [UInt8] = []
        var index = 0
        for event in events {
            guard case .emit(let transaction) = try assembler.eventReceived(event) else { continue }
            for rows in transaction.undecoded {
                defer { index += 1 }
                let (written, split) = ahead(index)
                guard written else {
                    try lines.hold(rows, writer: &printer)
                    continue
                }
                var bytes = ByteOutput()
                // Starts after other lines in the same buffer, as a run of several items has them.
                bytes.append("{\"ignored\":true")
                var ends = [bytes.count]
                try other.appendStarts(of: rows, to: &bytes, ends: &ends)
                let starts = LineStarts(bytes: bytes, ends: ends)
                let middle = split ? (1 + ends.count) / 2 : ends.count
                lines.hold(starts, lines: 1..<middle)
                lines.hold(starts, lines: middle..<ends.count)
            }
            if transaction.isDropped {
                lines.removeAll()
            } else if transaction.endsPart, !lines.isEmpty {
                printer.transactionStarted(
                    position: transaction.position, gtid: transaction.gtid, commitTimestamp: transaction.commitTimestamp)
                try lines.print(ending: printer, to: &out, chunkSize: 64) { printed += $0 }
            }
        }
        out.withBytes { printed += $0 }
        return printed
    }

    @Test func linesWrittenElsewherePrintAsTheirOwn() throws {
        var compared = 0
        for events in try UndecodedRowsTests.streams() {
            for partSize in [1, 3, 10_000] {
                let alone = try Self.printed(events, partSize: partSize) { _ in (false, false) }
                #expect(!alone.isEmpty)
                for (name, ahead) in [
                    ("every event", { (_: Int) in (true, false) }),
                    ("every event, in two ranges", { (_: Int) in (true, true) }),
                    ("every other event", { (index: Int) in (index % 2 == 1, index % 4 == 1) }),
                    ("two in three", { (index: Int) in (index % 3 != 0, false) }),
                ] as [(String, (Int) -> (Bool, split: Bool))] {
                    let mixed = try Self.printed(events, partSize: partSize, ahead: ahead)
                    #expect(
                        UndecodedRowsTests.text(mixed) == UndecodedRowsTests.text(alone), "\(name), part size \(partSize)")
                    compared += 1
                }
            }
        }
        #expect(compared == 36)
    }
}

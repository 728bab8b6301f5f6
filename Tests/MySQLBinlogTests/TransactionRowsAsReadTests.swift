import Directory
@testable import MySQLBinlog
import Testing

/// An assembler that hands rows on as they are read (`scimsync tail`): every rows event's
/// changes at once, ahead of their part's end, and parts ending exactly where they end without
/// it, so that what a caller makes of the parts is the same.
@Suite struct TransactionRowsAsReadTests {
    typealias Parts = TransactionPartsTests

    static func emitted(
        _ events: [BinlogEvent], maxChangesPerPart: Int, asRead: Bool
    ) throws -> [BinlogTransaction] {
        var assembler = TransactionAssembler(
            file: Parts.file, maxChangesPerPart: maxChangesPerPart, handsOnRowsAsRead: asRead)
        var emitted: [BinlogTransaction] = []
        for event in events {
            if case .emit(let transaction) = try assembler.eventReceived(event) { emitted.append(transaction) }
        }
        #expect(!assembler.isInTransaction)
        return emitted
    }

    /// The outputs as a caller holding rows until their part ends sees them: each part's
    /// changes (those handed on ahead of it, then its own), with the part's own fields.
    static func parts(_ outputs: [BinlogTransaction]) -> [BinlogTransaction] {
        var held: [BinlogRowChange] = []
        var parts: [BinlogTransaction] = []
        for output in outputs {
            held += output.changes
            if output.isDropped { held = [] }
            guard output.endsPart else { continue }
            var part = output
            part.changes = held
            held = []
            parts.append(part)
        }
        #expect(held.isEmpty)
        return parts
    }

    @Test func rowsComeAsTheyAreReadAndPartsEndWhereTheyWould() throws {
        let events = try Parts.events(Parts.sevenChanges + [MySQLEvents.xid(nextPosition: 1200)])
        for size in [1, 2, 3, 4, 7, 10_000] {
            let asRead = try Self.emitted(events, maxChangesPerPart: size, asRead: true)
            let held = try Self.emitted(events, maxChangesPerPart: size, asRead: false)
            #expect(Self.parts(asRead) == held, "part size \(size)")
            // No output holds more than one rows event's changes (2 at most here).
            #expect(asRead.allSatisfy { $0.changes.count <= 2 }, "part size \(size)")
            // Rows ahead of a part's end are never a place to resume.
            #expect(asRead.filter { !$0.endsPart }.allSatisfy { !$0.isLastPart && ($0.position == Parts.before || $0.position.offset == 4) })
        }
        let asRead = try Self.emitted(events, maxChangesPerPart: 3, asRead: true)
        // First transaction: its one rows event, then its commit. The large one: 2 (ahead),
        // 1 (ends a part of 3), 1 (ahead), 2 (ends a part of 3), 1 (ahead), the commit.
        #expect(asRead.map(\.changes.count) == [2, 0, 2, 1, 1, 2, 1, 0])
        #expect(asRead.map(\.endsPart) == [false, true, false, true, false, true, false, true])
        #expect(asRead.map(\.isLastPart) == [false, true, false, false, false, false, false, true])
        #expect(asRead.last?.position == Parts.committed)
    }

    /// A ROLLBACK after rows were handed on, with or without a part ended: a closing part
    /// marked dropped tells the caller to forget what it holds.
    @Test func aRollbackAfterRowsHandedOnClosesWithADroppedPart() throws {
        for size in [3, 10_000] {
            let events = try Parts.events(
                Parts.sevenChanges + [
                    MySQLEvents.query("ROLLBACK", nextPosition: 1300), MySQLEvents.gtid(gno: 43),
                    MySQLEvents.query("BEGIN", nextPosition: 1400), MySQLEvents.deleteRows(),
                    MySQLEvents.xid(nextPosition: 1500),
                ])
            let asRead = try Self.emitted(events, maxChangesPerPart: size, asRead: true)
            let closing = try #require(asRead.first { $0.isDropped }, "part size \(size)")
            #expect(closing.isLastPart && closing.endsPart && closing.changes.isEmpty)
            #expect(closing.position == BinlogPosition(file: Parts.file, offset: 1300))
            let parts = Self.parts(asRead)
            // The rolled-back rows never end a part whole (size 10,000) and the next
            // transaction comes clean.
            #expect(parts.last?.changes.map(\.kind) == [.delete])
            #expect(parts.last?.gtid == "\(MySQLEvents.uuid):43")
            if size == 10_000 {
                #expect(parts.map(\.changes.count) == [2, 0, 1])
            }
        }
    }

    /// Whether a new assembler (a reconnection) leaves rows handed on ahead of a part's end
    /// that the caller must forget.
    @Test func rowsHandedOnAheadOfAPartAreKnown() throws {
        let events = try Parts.events(Parts.sevenChanges)
        var assembler = TransactionAssembler(file: Parts.file, maxChangesPerPart: 3, handsOnRowsAsRead: true)
        var seen: [Bool] = []
        for event in events {
            _ = try assembler.eventReceived(event)
            if case .rows = event { seen.append(assembler.handedOnRowsOfOpenPart) }
        }
        // Rows events: the first transaction's (then committed: false after it), then 2 (ahead),
        // 1 (part ended), 1 (ahead), 2 (part ended), 1 (ahead).
        #expect(seen == [true, true, false, true, false, true])
        var holding = TransactionAssembler(file: Parts.file, maxChangesPerPart: 3)
        for event in events { _ = try holding.eventReceived(event) }
        #expect(!holding.handedOnRowsOfOpenPart)
    }
}

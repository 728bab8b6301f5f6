import Directory
@testable import MySQLBinlog
import Testing

/// Large transactions: appending rows stays linear, and more than `maxChangesPerPart` row
/// changes are handed on in parts positioned before the transaction.
@Suite struct TransactionPartsTests {
    static let file = "binlog.000007"
    static let gtid = "\(MySQLEvents.uuid):42"
    /// Where the first transaction ends: the boundary before the large one.
    static let before = BinlogPosition(file: file, offset: 631)
    static let committed = BinlogPosition(file: file, offset: 1200)

    /// A small committed transaction, then GTID 42 with `rows` (each a rows event) still open.
    static func events(_ rows: [[UInt8]]) throws -> [BinlogEvent] {
        try MySQLEvents.decodeAll(
            [
                MySQLEvents.formatDescription, MySQLEvents.gtid(gno: 41), MySQLEvents.query("BEGIN", nextPosition: 350),
                MySQLEvents.tableMap(), MySQLEvents.writeRows(), MySQLEvents.xid(nextPosition: 631),
                MySQLEvents.gtid(gno: 42), MySQLEvents.query("BEGIN", nextPosition: 700), MySQLEvents.tableMap(),
            ] + rows)
    }

    /// Two inserts, an update, a delete, two inserts, an update: 7 row changes in 5 events.
    static let sevenChanges = [
        MySQLEvents.writeRows(), MySQLEvents.updateRows(), MySQLEvents.deleteRows(), MySQLEvents.writeRows(),
        MySQLEvents.updateRows(),
    ]

    static func actions(
        _ events: [BinlogEvent], maxChangesPerPart: Int, filter: TableFilter = .all
    ) throws -> [TransactionAssembler.Action] {
        var assembler = TransactionAssembler(file: file, filter: filter, maxChangesPerPart: maxChangesPerPart)
        var actions: [TransactionAssembler.Action] = []
        for event in events {
            let action = try assembler.eventReceived(event)
            if action != .none { actions.append(action) }
        }
        #expect(!assembler.isInTransaction)
        return actions
    }

    static func emitted(_ actions: [TransactionAssembler.Action]) -> [BinlogTransaction] {
        actions.compactMap { action in
            if case .emit(let transaction) = action { return transaction }
            return nil
        }
    }

    @Test func aTransactionOf200000RowsEventsAssemblesWithoutCopyingItsRows() throws {
        let events = try Self.events([MySQLEvents.updateRows(), MySQLEvents.xid(nextPosition: 1200)])
        let update = events[events.count - 2]
        var assembler = TransactionAssembler(file: Self.file, maxChangesPerPart: .max)
        for event in events.dropLast(2) { _ = try assembler.eventReceived(event) }
        // Growing geometrically, 200,000 rows move to new storage about 18 times; a copy of the
        // rows gathered so far per rows event (shared storage, or exact reservations) moves
        // them once per event, which is what makes reading a large transaction quadratic.
        for index in 0..<200_000 {
            #expect(try assembler.eventReceived(update) == .none)
            guard assembler.pendingStorageMoves <= 40 else {
                Issue.record("the rows moved \(assembler.pendingStorageMoves) times in \(index + 1) appends")
                return
            }
        }
        let action = try assembler.eventReceived(try #require(events.last))
        guard case .emit(let transaction) = action else {
            Issue.record("no transaction: \(action)")
            return
        }
        #expect(transaction.position == Self.committed)
        #expect(transaction.gtid == Self.gtid)
        #expect(transaction.isLastPart)
        #expect(transaction.changes.count == 200_000)
        // Each the update as a transaction of one rows event has it.
        let single = Self.emitted(try Self.actions(events, maxChangesPerPart: 10_000))
        let expected = try #require(single.last?.changes.first)
        #expect(single.last?.changes.count == 1)
        #expect(expected.kind == .update && expected.table == "users")
        #expect(transaction.changes.allSatisfy { $0 == expected })
    }

    @Test func aLargeTransactionComesInPartsPositionedBeforeIt() throws {
        let events = try Self.events(Self.sevenChanges + [MySQLEvents.xid(nextPosition: 1200)])
        let whole = Self.emitted(try Self.actions(events, maxChangesPerPart: 10_000))
        let parted = Self.emitted(try Self.actions(events, maxChangesPerPart: 3))

        #expect(whole.count == 2)
        #expect(whole.allSatisfy { $0.isLastPart })
        // First transaction: 2 inserts (under the limit, whole). Then 2+1 ≥ 3, 1+2 ≥ 3, and the
        // last update committed.
        #expect(parted.map(\.changes.count) == [2, 3, 3, 1])
        #expect(parted.map(\.isLastPart) == [true, false, false, true])
        #expect(parted.map(\.position) == [Self.before, Self.before, Self.before, Self.committed])
        #expect(parted.map(\.gtid) == ["\(MySQLEvents.uuid):41", Self.gtid, Self.gtid, Self.gtid])
        #expect(parted.allSatisfy { !$0.isDropped })
        // Every part names the transaction it belongs to, the last one too.
        #expect(parted.map(\.partsStart) == [nil, Self.before, Self.before, Self.before])
        // Nothing lost, nothing repeated, in order.
        #expect(parted.dropFirst().flatMap(\.changes) == whole[1].changes)
        #expect(parted[1].changes.map(\.kind) == [.insert, .insert, .update])
        #expect(parted[2].changes.map(\.kind) == [.delete, .insert, .insert])
        // The commit time is known at the commit; a part carries its last rows event's.
        #expect(parted.last?.commitTimestamp == 1_700_000_123)
        #expect(parted[1].commitTimestamp == 1_700_000_000)

        let batches = parted.map(\.changeBatch)
        #expect(batches.map(\.endsTransaction) == [true, false, false, true])
        #expect(batches[1].position == .binlog(file: Self.file, offset: 631, gtid: nil))
        #expect(batches[3].position == .binlog(file: Self.file, offset: 1200, gtid: Self.gtid))
    }

    @Test func aTransactionEndingExactlyAtAPartEndsWithAnEmptyLastPart() throws {
        let events = try Self.events([MySQLEvents.writeRows(), MySQLEvents.xid(nextPosition: 1200)])
        let parted = Self.emitted(try Self.actions(events, maxChangesPerPart: 2))
        #expect(parted.map(\.changes.count) == [2, 0, 2, 0])
        #expect(parted.map(\.isLastPart) == [false, true, false, true])
        #expect(parted.map(\.position) == [
            BinlogPosition(file: Self.file, offset: 4), Self.before, Self.before, Self.committed,
        ])
        #expect(parted.map(\.partsStart) == [
            BinlogPosition(file: Self.file, offset: 4), BinlogPosition(file: Self.file, offset: 4), Self.before,
            Self.before,
        ])
    }

    @Test func rowsOfFilteredTablesMakeNoParts() throws {
        let events = try Self.events(Self.sevenChanges + [MySQLEvents.xid(nextPosition: 1200)])
        let parted = Self.emitted(try Self.actions(events, maxChangesPerPart: 1, filter: TableFilter(tables: ["app.other"])))
        #expect(parted.map(\.changes.count) == [0, 0])
        #expect(parted.map(\.isLastPart) == [true, true])
    }

    /// Parts already handed on cannot be taken back: a ROLLBACK after them closes the
    /// transaction with an empty part saying it was dropped, positioned after the ROLLBACK;
    /// the rows not yet handed on are dropped, and the next transaction starts clean.
    @Test func aRollbackAfterPartsClosesWithADroppedPart() throws {
        let events = try Self.events(
            Self.sevenChanges + [
                MySQLEvents.query("ROLLBACK", nextPosition: 1300), MySQLEvents.gtid(gno: 43),
                MySQLEvents.query("BEGIN", nextPosition: 1400), MySQLEvents.deleteRows(),
                MySQLEvents.xid(nextPosition: 1500),
            ])
        let actions = try Self.actions(events, maxChangesPerPart: 3)
        let parted = Self.emitted(actions)
        #expect(parted.map(\.changes.count) == [2, 3, 3, 0, 1])
        #expect(parted.map(\.isLastPart) == [true, false, false, true, true])
        #expect(parted.map(\.isDropped) == [false, false, false, true, false])
        let closing = parted[3]
        #expect(closing.position == BinlogPosition(file: Self.file, offset: 1300))
        #expect(closing.gtid == Self.gtid)
        #expect(closing.changeBatch.endsTransaction)
        #expect(parted[4].changes.map(\.kind) == [.delete])
        #expect(parted[4].gtid == "\(MySQLEvents.uuid):43")
        #expect(!actions.contains { if case .dropped = $0 { true } else { false } })
    }

    @Test func aRollbackBeforeAnyPartIsStillJustDropped() throws {
        let events = try Self.events([MySQLEvents.writeRows(), MySQLEvents.query("ROLLBACK", nextPosition: 1300)])
        let actions = try Self.actions(events, maxChangesPerPart: 3)
        #expect(actions.last == .dropped(position: BinlogPosition(file: Self.file, offset: 1300)))
        #expect(Self.emitted(actions).count == 1)
    }

    /// A new FORMAT_DESCRIPTION in the middle: the server restarted, and its crash recovery
    /// rolled back the transaction (its XID never reached the binlog). The closing part is
    /// positioned before it: reading resumes there and meets the same cut-off transaction.
    @Test func aServerRestartAfterPartsClosesWithADroppedPartBeforeIt() throws {
        let events = try Self.events(
            Self.sevenChanges + [
                MySQLEvents.formatDescription, MySQLEvents.gtid(gno: 43), MySQLEvents.query("BEGIN", nextPosition: 1400),
                MySQLEvents.tableMap(), MySQLEvents.deleteRows(), MySQLEvents.xid(nextPosition: 1500),
            ])
        let parted = Self.emitted(try Self.actions(events, maxChangesPerPart: 3))
        #expect(parted.map(\.changes.count) == [2, 3, 3, 0, 1])
        #expect(parted.map(\.isDropped) == [false, false, false, true, false])
        #expect(parted[3].position == Self.before)
        #expect(parted[3].isLastPart)
        #expect(parted[4].position == BinlogPosition(file: Self.file, offset: 1500))
    }
}

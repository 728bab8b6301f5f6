import Directory
@testable import MySQLBinlog
import Testing

/// Two-phase XA transactions (`XA END`, XA PREPARE, later `XA COMMIT` or `XA ROLLBACK` in a
/// group of its own) and statements logged as text inside a transaction.
@Suite struct XATransactionTests {
    static let file = "binlog.000007"

    static func actions(_ events: [[UInt8]]) throws -> [TransactionAssembler.Action] {
        try TransactionPartsTests.actions(
            MySQLEvents.decodeAll([MySQLEvents.formatDescription] + events),
            maxChangesPerPart: TransactionAssembler.defaultMaxChangesPerPart)
    }

    static func emitted(_ actions: [TransactionAssembler.Action]) -> [BinlogTransaction] {
        TransactionPartsTests.emitted(actions)
    }

    /// The prepared transaction's rows, then `XA END`: nothing is handed on until its commit.
    static func prepared(_ xid: String, gno: UInt64) -> [[UInt8]] {
        [
            MySQLEvents.gtid(gno: gno), MySQLEvents.query("XA START \(xid)", nextPosition: 300), MySQLEvents.tableMap(),
            MySQLEvents.writeRows(), MySQLEvents.query("XA END \(xid)", nextPosition: 500),
        ]
    }

    @Test func aPreparedTransactionsRowsAreHandedOnAtItsCommit() throws {
        let actions = try Self.actions(
            Self.prepared("X'7831',X'',1", gno: 41) + [
                MySQLEvents.gtid(gno: 42), MySQLEvents.query("XA COMMIT X'7831',X'',1", nextPosition: 900),
            ])
        let transactions = Self.emitted(actions)
        #expect(transactions.count == 1)
        #expect(transactions.first?.changes.count == 2)
        #expect(transactions.first?.position == BinlogPosition(file: Self.file, offset: 900))
        #expect(transactions.first?.gtid == "\(MySQLEvents.uuid):42")
        #expect(transactions.first?.unloggedChanges == nil)
    }

    @Test func aRolledBackPreparedTransactionHandsOnNothing() throws {
        let actions = try Self.actions(
            Self.prepared("X'7832',X'',1", gno: 41) + [
                MySQLEvents.gtid(gno: 42), MySQLEvents.query("XA ROLLBACK X'7832',X'',1", nextPosition: 900),
            ])
        let transactions = Self.emitted(actions)
        #expect(transactions.map(\.changes.count) == [0])
        #expect(transactions.first?.unloggedChanges == nil)
        #expect(transactions.first?.position == BinlogPosition(file: Self.file, offset: 900))
    }

    /// A commit of a transaction prepared before the read began: its rows are not in hand.
    @Test func aCommitOfATransactionPreparedBeforeTheReadSaysSo() throws {
        let actions = try Self.actions([
            MySQLEvents.gtid(gno: 42), MySQLEvents.query("XA COMMIT X'7833',X'',1", nextPosition: 900),
        ])
        let transactions = Self.emitted(actions)
        #expect(transactions.first?.unloggedChanges?.contains("before this read of the binlog began") == true)
    }

    @Test func statementsLoggedAsTextAreHandedOnWithTheirTransaction() throws {
        let actions = try Self.actions([
            MySQLEvents.gtid(gno: 42), MySQLEvents.query("BEGIN", nextPosition: 300),
            MySQLEvents.query("SAVEPOINT a", nextPosition: 350),
            MySQLEvents.query("UPDATE users SET name = 'x'", schema: "hr", nextPosition: 400),
            MySQLEvents.query("ROLLBACK TO SAVEPOINT a", nextPosition: 450), MySQLEvents.xid(nextPosition: 500),
        ])
        #expect(Self.emitted(actions).first?.statements == [LoggedStatement(schema: "hr", text: "UPDATE users SET name = 'x'")])
    }

    /// Rows read ahead (`scimsync tail`) of a transaction then rolled back are voided; of one
    /// committed, they end at its commit.
    @Test func rowsReadAheadEndAtTheCommitOrAreVoidedByTheRollback() throws {
        for (resolution, dropped) in [("COMMIT", false), ("ROLLBACK", true)] {
            var assembler = TransactionAssembler(file: Self.file, handsOnRowsAsRead: true)
            var emitted: [BinlogTransaction] = []
            let events = Self.prepared("X'01',X'',1", gno: 41) + [
                MySQLEvents.gtid(gno: 42), MySQLEvents.query("XA \(resolution) X'01',X'',1", nextPosition: 900),
            ]
            for event in try MySQLEvents.decodeAll([MySQLEvents.formatDescription] + events) {
                if case .emit(let transaction) = try assembler.eventReceived(event) { emitted.append(transaction) }
            }
            let last = try #require(emitted.last)
            #expect(emitted.dropLast().allSatisfy { !$0.endsPart }, "rows handed on ahead of their part's end")
            #expect(last.endsPart && last.isLastPart && last.isDropped == dropped, "XA \(resolution)")
            #expect(last.position == BinlogPosition(file: Self.file, offset: 900))
        }
    }

    @Test func xaStatementsAreRecognised() {
        #expect(XAStatement("XA END X'7831',X'',1") == .end(xid: "X'7831',X'',1"))
        #expect(XAStatement("  xa commit X'31',X'',1 ONE PHASE") == .commit(xid: "X'31',X'',1"))
        #expect(XAStatement("XA ROLLBACK X'31',X'',1") == .rollback(xid: "X'31',X'',1"))
        #expect(XAStatement("XA START X'31',X'',1") == .start)
        #expect(XAStatement("XA RECOVER") == nil)
        #expect(XAStatement("UPDATE xa SET a = 1") == nil)
        #expect(QueryEvent.isSavepointStatement("RELEASE SAVEPOINT a"))
        #expect(!QueryEvent.isSavepointStatement("UPDATE t SET a = 1"))
    }
}

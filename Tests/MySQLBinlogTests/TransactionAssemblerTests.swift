import Directory
import Testing
import MySQLBinlog

@Suite struct TransactionAssemblerTests {
    /// Feeds both fixture files through one assembler, as a replica reading across the rotate.
    static func actions(filter: TableFilter = .all) throws -> [TransactionAssembler.Action] {
        var assembler = TransactionAssembler(file: "binlog.000001", filter: filter)
        var actions: [TransactionAssembler.Action] = []
        for file in ["binlog.000001", "binlog.000002"] {
            for (event, _) in try Fixtures.events(file) {
                let action = try assembler.eventReceived(event)
                if action != .none { actions.append(action) }
            }
        }
        #expect(assembler.file == "binlog.000003")
        #expect(assembler.lastBoundary == BinlogPosition(file: "binlog.000003", offset: 4))
        return actions
    }

    static func transactions(_ actions: [TransactionAssembler.Action]) -> [BinlogTransaction] {
        actions.compactMap { action in
            if case .emit(let transaction) = action { return transaction }
            return nil
        }
    }

    @Test func everyCommittedTransactionInOrderWithItsEndPosition() throws {
        let transactions = Self.transactions(try Self.actions()).filter { $0.position.file == "binlog.000002" }
        #expect(transactions.map(\.gtid) == ["0-1-15", "0-1-16", "0-1-17", "0-1-18", "0-1-19", "0-1-20", "0-1-23", "0-1-25"])
        #expect(transactions.map(\.position.offset) == [1219, 1488, 1735, 2021, 2630, 2912, 3702, 4188])
        #expect(transactions.map(\.changes.count) == [2, 1, 1, 1, 3, 1, 1, 1])
    }

    @Test func rowChangesCarryNamesAndImages() throws {
        let transactions = Self.transactions(try Self.actions()).filter { $0.position.file == "binlog.000002" }
        let update = transactions[1].changes[0]
        #expect(update.kind == .update)
        #expect(update.schema == "fx")
        #expect(update.table == "people")
        #expect(update.columns == ["id", "name", "age"])
        #expect(update.before == [.int(1), .text("Ann"), .int(30)])
        #expect(update.after == [.int(1), .text("Ann"), .int(31)])
        let delete = transactions[2].changes[0]
        #expect(delete.kind == .delete)
        #expect(delete.before == [.int(2), .text("Bob"), .int(40)])
        #expect(delete.after == nil)
        let multi = transactions[4].changes
        #expect(multi.map(\.table) == ["people", "other", "people"])
        #expect(multi.map(\.kind) == [.insert, .insert, .update])
    }

    @Test func rolledBackWorkIsDropped() throws {
        let actions = try Self.actions()
        #expect(actions.contains(.dropped(position: BinlogPosition(file: "binlog.000002", offset: 3230))))
        let all = Self.transactions(actions).flatMap(\.changes)
        #expect(!all.contains { $0.after?.first == .int(6) })
    }

    @Test func ddlIsASchemaChangeAndLaterRowsUseTheNewShape() throws {
        let actions = try Self.actions()
        let changes = actions.compactMap { action -> SchemaChange? in
            if case .emitSchemaChange(let change) = action { return change }
            return nil
        }
        let alters = changes.filter { $0.statement.hasPrefix("ALTER") }
        #expect(alters.map(\.gtid) == ["0-1-22", "0-1-24"])
        #expect(alters.map(\.position.offset) == [3405, 3885])
        #expect(alters.allSatisfy { $0.schema == "fx" })
        let transactions = Self.transactions(actions)
        let eve = try #require(transactions.first { $0.gtid == "0-1-23" }).changes[0]
        #expect(eve.columns == ["id", "name", "email", "age"])
        #expect(eve.after == [.int(5), .text("Eve"), .text("eve@example.org"), .int(25)])
        let renamed = try #require(transactions.first { $0.gtid == "0-1-25" }).changes[0]
        #expect(renamed.columns == ["id", "full_name", "email"])
        #expect(renamed.before == [.int(1), .text("Ann"), .null])
        #expect(renamed.after == [.int(1), .text("Ann"), .text("ann@example.org")])
    }

    @Test func filteredTablesAreSkipped() throws {
        let transactions = Self.transactions(try Self.actions(filter: TableFilter(tables: ["fx.other"])))
        // Transactions of other tables still commit (their positions matter), with no rows.
        let withRows = transactions.filter { !$0.changes.isEmpty }
        #expect(withRows.map(\.gtid) == ["0-1-19"])
        #expect(withRows[0].changes.map(\.table) == ["other"])
        #expect(withRows[0].changes[0].after == [.int(1), .int(7)])
    }

    @Test func aRepeatedTableMapKeepsTheTableAndTakesTheNewHeader() throws {
        let maps = try Fixtures.events("binlog.000002").compactMap { event, _ -> TableMapEvent? in
            if case .tableMap(let map) = event { return map }
            return nil
        }
        let first = try #require(maps.first)
        var assembler = TransactionAssembler(file: "binlog.000002", filter: TableFilter(tables: ["nobody.wanted"]))
        _ = assembler.tableMapReceived(first)
        var repeated = first
        repeated.header.timestamp += 60
        repeated.header.nextPosition += 1000
        #expect(assembler.tableMapReceived(repeated) == .none)
        #expect(assembler.tableMap(for: first.tableID) == repeated)

        // The same id for another table replaces it.
        let other = try #require(maps.first { $0.qualifiedName != first.qualifiedName })
        var moved = other
        moved.tableID = first.tableID
        _ = assembler.tableMapReceived(moved)
        #expect(assembler.tableMap(for: first.tableID) == moved)
    }

    @Test func unwantedRowsAreNotDecoded() throws {
        // A rows event whose image is garbage: decoding it would throw.
        var broken = MySQLEvents.writeRows()
        broken.removeLast(4)
        broken.removeLast(12)
        broken[9] = UInt8(broken.count + 4)
        broken += EventBuilder.crcFooter(broken)
        let events = try MySQLEvents.decodeAll([
            MySQLEvents.formatDescription, MySQLEvents.gtid(), MySQLEvents.query("BEGIN", nextPosition: 350),
            MySQLEvents.tableMap(), broken, MySQLEvents.xid(nextPosition: 631),
        ])
        var skipping = TransactionAssembler(file: "binlog.000007", filter: TableFilter(tables: ["app.orders"]))
        var actions: [TransactionAssembler.Action] = []
        for event in events { actions.append(try skipping.eventReceived(event)) }
        #expect(actions.last == .emit(BinlogTransaction(
            changes: [], position: BinlogPosition(file: "binlog.000007", offset: 631),
            gtid: "\(MySQLEvents.uuid):42", commitTimestamp: 1_700_000_123
        )))

        var decoding = TransactionAssembler(file: "binlog.000007")
        #expect(throws: TransactionAssemblyError.self) {
            for event in events { _ = try decoding.eventReceived(event) }
        }
    }

    @Test func mysqlTransactionWithGTID() throws {
        var assembler = TransactionAssembler(file: "binlog.000007")
        var emitted: [BinlogTransaction] = []
        for event in try MySQLEvents.decodeAll(MySQLEvents.transaction) {
            if case .emit(let transaction) = try assembler.eventReceived(event) { emitted.append(transaction) }
        }
        let transaction = try #require(emitted.first)
        #expect(emitted.count == 1)
        #expect(transaction.gtid == "\(MySQLEvents.uuid):42")
        #expect(transaction.position == BinlogPosition(file: "binlog.000007", offset: 631))
        #expect(transaction.commitTimestamp == 1_700_000_123)
        #expect(transaction.changes.map(\.kind) == [.insert, .insert, .update, .delete])

        let batch = transaction.changeBatch
        #expect(batch.position == .binlog(file: "binlog.000007", offset: 631, gtid: "\(MySQLEvents.uuid):42"))
        #expect(batch.commitTime == 1_700_000_123)
        #expect(batch.changes[2].before == Row(["id": .uint(1)]))
        #expect(batch.changes[2].after == Row(["name": .text("Ann")]))
        #expect(batch.changes[0].after?["role"] == .text("user"))
        #expect(batch.changes[0].after?["born"] == .null)
        #expect(batch.changes[0].table == "users")
    }

    @Test func rowsOutsideATransactionAreRefused() throws {
        let events = try MySQLEvents.decodeAll([MySQLEvents.formatDescription, MySQLEvents.tableMap(), MySQLEvents.writeRows()])
        var assembler = TransactionAssembler(file: "binlog.000007")
        _ = try assembler.eventReceived(events[0])
        _ = try assembler.eventReceived(events[1])
        #expect(throws: TransactionAssemblyError.rowsOutsideTransaction(position: BinlogPosition(file: "binlog.000007", offset: 4 + UInt64(events[0].header.eventSize + events[1].header.eventSize)))) {
            try assembler.eventReceived(events[2])
        }
    }

    @Test func aServerRestartDropsTheOpenTransaction() throws {
        let events = try MySQLEvents.decodeAll([
            MySQLEvents.formatDescription, MySQLEvents.gtid(), MySQLEvents.query("BEGIN", nextPosition: 350),
            MySQLEvents.tableMap(), MySQLEvents.writeRows(), MySQLEvents.formatDescription,
        ])
        var assembler = TransactionAssembler(file: "binlog.000007", offset: 200)
        var actions: [TransactionAssembler.Action] = []
        for event in events { actions.append(try assembler.eventReceived(event)) }
        #expect(actions.last == .dropped(position: BinlogPosition(file: "binlog.000007", offset: 200)))
        #expect(!assembler.isInTransaction)
    }

    @Test func mysqlDDLWithoutBeginIsASchemaChange() throws {
        let events = try MySQLEvents.decodeAll([
            MySQLEvents.formatDescription, MySQLEvents.gtid(gno: 43),
            MySQLEvents.query("ALTER TABLE users ADD COLUMN x INT", nextPosition: 900),
        ])
        var assembler = TransactionAssembler(file: "binlog.000007")
        var last = TransactionAssembler.Action.none
        for event in events { last = try assembler.eventReceived(event) }
        guard case .emitSchemaChange(let change) = last else {
            Issue.record("no schema change")
            return
        }
        #expect(change.gtid == "\(MySQLEvents.uuid):43")
        #expect(change.schema == "app")
        #expect(change.position == BinlogPosition(file: "binlog.000007", offset: 900))
    }
}

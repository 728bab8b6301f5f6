import Directory
import SCIM
import SQLClients
import Testing

@testable import Targets

/// How a batch goes to a connection that sends ahead (PostgreSQL's pipeline mode): BEGIN, the
/// statements and COMMIT without waiting between them, and a failure read at COMMIT pinned on
/// the statement that caused it. Server-free: PostgresSendAheadTests checks the connection.
@Suite struct SendAheadApplyTests {
    /// Records what it is sent and how; at COMMIT fails with `failure`, if set.
    final class SendingAheadConnection: TargetConnection {
        var calls: [String] = []
        var failure: (any Error)?
        let columns = RecordingConnection()

        var sendsAhead: Bool { true }

        func sendAhead(_ sql: String, _ parameters: [SQLValue], recurs: Bool, tag: Int) throws {
            calls.append("ahead \(tag): \(sql.prefix(while: { $0 != " " }))")
        }

        func query(_ sql: String, _ parameters: [SQLValue]) throws -> [Row] {
            calls.append("query: \(sql.prefix(while: { $0 != " " }))")
            return []
        }

        func begin() throws { calls.append("begin") }

        func commit() throws {
            calls.append("commit")
            if let failure { throw failure }
        }

        func rollback() throws { calls.append("rollback") }
        func run(_ sql: String) throws { calls.append("run: \(sql)") }

        func tableColumns(_ table: String, schema: String?) throws -> [ColumnDescription]? {
            try columns.tableColumns(table, schema: schema)
        }
    }

    private func target(_ connection: SendingAheadConnection) throws -> SQLTarget {
        try SQLTarget(connection: connection, dialect: .postgres(schema: "public"), layout: try PortalLayout.make(suffix: "x"))
    }

    private func batch() -> [ResourceOp] {
        [.create(.user, ApplyNeverBlocksTests.user("u1", login: "alice")), .addMember(groupID: "g1", userID: "u1")]
    }

    @Test func aBatchGoesOutWithoutWaitingAndCommits() throws {
        let connection = SendingAheadConnection()
        let target = try target(connection)
        let result = try target.apply(batch())
        #expect(connection.calls == [
            "ahead 0: BEGIN", "ahead 1: SET", "ahead 2: INSERT", "ahead 3: INSERT", "commit",
        ])
        #expect(result.statements == 2)
    }

    @Test func aFailureReadAtCommitNamesItsStatement() throws {
        let connection = SendingAheadConnection()
        let target = try target(connection)
        // The membership insert (tag 3) was refused; the COMMIT reports it.
        let refusal = PostgresError(kind: .other, sqlState: "23505", message: "duplicate key", operation: .query)
        connection.failure = SentAheadError(tag: 3, error: refusal)
        let error = try #require(throws: TargetError.self) { try target.applyAllOrNothing(batch()) }
        guard case .statement(.addMember, let table) = error.kind else {
            Issue.record("\(error.kind)")
            return
        }
        #expect(table.hasPrefix("portal_memberships"))
        #expect(error.isUniqueViolation)
        #expect(connection.calls.last == "rollback")
    }

    @Test func aFailureOfTheTransactionsOwnStepsNamesThatStep() throws {
        let connection = SendingAheadConnection()
        let target = try target(connection)
        let gone = PostgresError(kind: .lostConnection, sqlState: "57P01", message: "terminating", operation: .query)
        connection.failure = SentAheadError(tag: 1, error: gone)
        let error = try #require(throws: TargetError.self) { try target.applyAllOrNothing(batch()) }
        #expect(error.kind == .transaction(step: "deferring foreign keys"))
        #expect(error.isTransient)
    }
}

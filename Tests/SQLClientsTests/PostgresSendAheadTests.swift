import TestSupport
import Directory
import SQLClients
import Testing

/// Statements sent ahead in libpq's pipeline mode: what commits, which statement a failure is
/// pinned on, and that the connection (and its prepared statements) work afterwards.
@Suite struct PostgresSendAheadTests {
    private func table(_ connection: PostgresConnection) throws -> String {
        let table = TestServers.uniqueName("ahead")
        try connection.execute("CREATE TABLE \(table) (id integer PRIMARY KEY, name text NOT NULL)")
        return table
    }

    @Test func aTransactionSentAheadCommitsItsStatements() throws {
        let connection = try TestServers.postgres()
        let table = try table(connection)
        defer { _ = try? connection.execute("DROP TABLE \(table)") }
        try connection.sendAhead("BEGIN", [], prepared: false, tag: 0)
        try connection.sendAhead("INSERT INTO \(table) VALUES ($1, $2)", [.int(1), .text("one")], prepared: false, tag: 1)
        // Prepared on the way, then executed again from its name.
        let upsert = "INSERT INTO \(table) SELECT * FROM unnest($1::int[], $2::text[]) ON CONFLICT (id) DO UPDATE SET name = excluded.name"
        try connection.sendAhead(upsert, [.text("{2,3}"), .text("{two,three}")], prepared: true, tag: 2)
        try connection.sendAhead(upsert, [.text("{3}"), .text("{\"three, again\"}")], prepared: true, tag: 3)
        #expect(connection.hasAnswersAhead)
        try connection.commitSendingAhead()
        #expect(!connection.hasAnswersAhead)
        #expect(connection.preparedStatementCount == 1)
        #expect(try connection.query("SELECT id, name FROM \(table) ORDER BY id") == [
            Row(["id": .int(1), "name": .text("one")]), Row(["id": .int(2), "name": .text("two")]),
            Row(["id": .int(3), "name": .text("three, again")]),
        ])
    }

    @Test func aFailureIsPinnedOnItsStatementAndNothingAfterItRuns() throws {
        let connection = try TestServers.postgres()
        let table = try table(connection)
        defer { _ = try? connection.execute("DROP TABLE \(table)") }
        try connection.execute("INSERT INTO \(table) VALUES (1, 'kept')")
        try connection.sendAhead("BEGIN", [], prepared: false, tag: 0)
        try connection.sendAhead("UPDATE \(table) SET name = 'changed' WHERE id = 1", [], prepared: false, tag: 1)
        try connection.sendAhead("INSERT INTO \(table) VALUES ($1, $2)", [.int(1), .text("dup")], prepared: false, tag: 2)
        // Would be prepared after the failure: the server skips the PREPARE too.
        let later = "INSERT INTO \(table) SELECT * FROM unnest($1::int[], $2::text[])"
        try connection.sendAhead(later, [.text("{9}"), .text("{nine}")], prepared: true, tag: 3)
        let failure = try #require(throws: SentAheadError.self) { try connection.commitSendingAhead() }
        #expect(failure.tag == 2)
        let error = try #require(failure.error as? PostgresError)
        #expect(error.sqlState == "23505")
        try connection.rollbackSendingAhead()
        #expect(try connection.query("SELECT id, name FROM \(table) ORDER BY id") == [Row(["id": .int(1), "name": .text("kept")])])
        // The skipped PREPARE is not taken for done: the text is prepared again and runs.
        #expect(connection.preparedStatementCount == 0)
        try connection.queryPrepared(later, [.text("{9}"), .text("{nine}")])
        #expect(try connection.query("SELECT count(*) AS n FROM \(table)") == [Row(["n": .int(2)])])
    }

    @Test func aQueryReadsTheAnswersAheadFirst() throws {
        let connection = try TestServers.postgres()
        let table = try table(connection)
        defer { _ = try? connection.execute("DROP TABLE \(table)") }
        try connection.sendAhead("BEGIN", [], prepared: false, tag: 0)
        try connection.sendAhead("INSERT INTO \(table) VALUES ($1, $2)", [.int(5), .text("five")], prepared: false, tag: 1)
        // Answered after the insert, which it sees.
        #expect(try connection.query("SELECT name FROM \(table) WHERE id = $1", [.int(5)]) == [Row(["name": .text("five")])])
        #expect(!connection.hasAnswersAhead)
        try connection.sendAhead("INSERT INTO \(table) VALUES ($1, $2)", [.int(5), .text("again")], prepared: false, tag: 7)
        let failure = try #require(throws: SentAheadError.self) {
            try connection.query("SELECT count(*) FROM \(table)")
        }
        #expect(failure.tag == 7)
        try connection.rollbackSendingAhead()
        #expect(try connection.query("SELECT count(*) AS n FROM \(table)") == [Row(["n": .int(0)])])
    }

    @Test func aDeferredKeyFailingAtCommitIsTheCommitsOwnError() throws {
        let connection = try TestServers.postgres()
        let parent = TestServers.uniqueName("ahead_parent")
        let child = TestServers.uniqueName("ahead_child")
        try connection.execute("CREATE TABLE \(parent) (id integer PRIMARY KEY)")
        try connection.execute(
            "CREATE TABLE \(child) (id integer PRIMARY KEY, parent integer REFERENCES \(parent) (id) DEFERRABLE INITIALLY DEFERRED)")
        defer { _ = try? connection.execute("DROP TABLE \(child), \(parent)") }
        try connection.sendAhead("BEGIN", [], prepared: false, tag: 0)
        try connection.sendAhead("INSERT INTO \(child) VALUES (1, 42)", [], prepared: false, tag: 1)
        let error = try #require(throws: PostgresError.self) { try connection.commitSendingAhead() }
        #expect(error.sqlState == "23503")
        try connection.rollbackSendingAhead()
        #expect(try connection.query("SELECT count(*) AS n FROM \(child)") == [Row(["n": .int(0)])])
    }

    @Test(.timeLimit(.minutes(1))) func aConnectionLostWhileSendingAheadIsReportedAsLost() async throws {
        let connection = try TestServers.postgres()
        let table = try table(connection)
        let other = try TestServers.postgres()
        defer { _ = try? other.execute("DROP TABLE \(table)") }
        let pid = try #require(try connection.query("SELECT pg_backend_pid() AS pid").first?.values.first)
        try other.query("SELECT pg_terminate_backend($1::int)", [pid])
        // pg_terminate_backend only signals: wait until the session is gone, so that nothing
        // sent below can still run.
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(30)
        while try other.query("SELECT count(*) AS n FROM pg_stat_activity WHERE pid = $1::int", [pid])
            != [Row(["n": .int(0)])]
        {
            try #require(clock.now < deadline, "the terminated session is still listed after 30 s")
            try await clock.sleep(for: .milliseconds(10))
        }
        // The server ended the session: whatever was sent ahead is answered by the broken
        // connection, once, without waiting for more.
        var failure: (any Error)?
        do {
            try connection.sendAhead("BEGIN", [], prepared: false, tag: 0)
            try connection.sendAhead("INSERT INTO \(table) VALUES (1, 'lost')", [], prepared: false, tag: 1)
            try connection.commitSendingAhead()
        } catch {
            failure = error
        }
        let error = try #require((failure as? SentAheadError)?.error as? PostgresError ?? failure as? PostgresError)
        #expect(error.kind == .lostConnection, "\(String(reflecting: error))")
        #expect(!connection.hasAnswersAhead)
        #expect(try other.query("SELECT count(*) AS n FROM \(table)") == [Row(["n": .int(0)])])
    }

    @Test func rollbackDropsWhatWasSentAhead() throws {
        let connection = try TestServers.postgres()
        let table = try table(connection)
        defer { _ = try? connection.execute("DROP TABLE \(table)") }
        try connection.sendAhead("BEGIN", [], prepared: false, tag: 0)
        try connection.sendAhead("INSERT INTO \(table) VALUES (1, 'gone')", [], prepared: false, tag: 1)
        try connection.rollbackSendingAhead()
        #expect(!connection.hasAnswersAhead)
        #expect(try connection.query("SELECT count(*) AS n FROM \(table)") == [Row(["n": .int(0)])])
    }
}

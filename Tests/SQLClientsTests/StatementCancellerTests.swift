import Directory
import Dispatch
import Foundation
import SQLClients
import TestSupport
import Testing

/// Each database's way to stop a running statement from another thread: the statement fails
/// at once, the connection stays usable, and a cancel sent while nothing runs does not reach
/// the connection's next statement (the SCIM server may send one just as a statement ends).
@Suite("Statement cancellers")
struct StatementCancellerTests {
    /// A blocking call on a thread of its own; the result once it returns.
    private final class Background<T: Sendable>: @unchecked Sendable {
        private let done = DispatchSemaphore(value: 0)
        private var result: Result<T, any Error>?

        init(_ body: @escaping @Sendable () throws -> T) {
            Thread.detachNewThread { [self] in
                result = Result { try body() }
                done.signal()
            }
        }

        /// Waits at most `seconds` for the call to return.
        func wait(seconds: Int) -> Result<T, any Error>? {
            done.wait(timeout: .now() + .seconds(seconds)) == .success ? result : nil
        }
    }

    @Test func mariaDB() async throws {
        let url = try TestServers.mariaDBURL()
        let connection = try TestServers.mariaDB()
        let canceller = MariaDBStatementCanceller(
            host: url.host, port: url.port, user: url.user, password: url.password, connectionID: connection.connectionID)
        // It holds a password: nothing that prints it shows it.
        var dumped = ""
        dump(canceller, to: &dumped)
        for text in ["\(canceller)", String(reflecting: canceller), dumped] {
            #expect(!text.contains(url.password))
        }
        // Nothing running: the next statement is not touched.
        canceller.cancel()
        #expect(try connection.query("SELECT 1", []).count == 1)
        nonisolated(unsafe) let shared = connection
        let sleeping = Background { try shared.query("SELECT SLEEP(1800)", []) }
        let watcher = try TestServers.mariaDB()
        try #require(
            try await eventually {
                try watcher.query(
                    "SELECT 1 FROM information_schema.PROCESSLIST WHERE ID = ? AND INFO LIKE 'SELECT SLEEP%'",
                    [.uint(connection.connectionID)]
                ).count == 1
            })
        canceller.cancel()
        // Interrupted (error 1317), not left to sleep its half hour.
        let outcome = try #require(sleeping.wait(seconds: 120))
        #expect(throws: (any Error).self) { try outcome.get() }
        #expect(try connection.query("SELECT 2", []).first?.values.first == .int(2))
    }

    @Test func postgres() async throws {
        let connection = try TestServers.postgres()
        let canceller = try #require(connection.statementCanceller())
        canceller.cancel()
        #expect(try connection.query("SELECT 1", []).count == 1)
        let pid = try connection.query("SELECT pg_backend_pid()", []).first?.values.first
        nonisolated(unsafe) let shared = connection
        let sleeping = Background { try shared.query("SELECT pg_sleep(1800)", []) }
        let watcher = try TestServers.postgres()
        try #require(
            try await eventually {
                try watcher.query(
                    "SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND state = 'active' AND query LIKE 'SELECT pg_sleep%'",
                    [pid ?? .null]
                ).count == 1
            })
        canceller.cancel()
        let outcome = try #require(sleeping.wait(seconds: 120))
        #expect(throws: (any Error).self) { try outcome.get() }
        #expect(try connection.query("SELECT 2", []).first?.values.first == .int(2))
    }

    @Test func sqlite() async throws {
        let database = try SQLiteDatabase(path: NSTemporaryDirectory() + "scimsync-cancel-\(UUID().uuidString).db")
        let canceller = database.statementCanceller()
        canceller.cancel()
        #expect(try database.query("SELECT 1", []).count == 1)
        nonisolated(unsafe) let shared = database
        // Ten billion steps: hours, unless interrupted.
        let counting = Background {
            try shared.query(
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 10000000000) SELECT count(*) FROM c",
                [])
        }
        // SQLite cannot be asked whether the statement began: interrupt until it ends.
        var outcome: Result<[Row], any Error>?
        for _ in 0..<600 where outcome == nil {
            canceller.cancel()
            outcome = counting.wait(seconds: 1)
        }
        #expect(throws: (any Error).self) { try #require(outcome).get() }
        #expect(try database.query("SELECT 2", []).first?.values.first == .int(2))
    }
}

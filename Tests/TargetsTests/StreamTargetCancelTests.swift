import Directory
import Foundation
import SQLClients
import TestSupport
import Testing

@testable import Targets

/// A stream's write whose task is cancelled (the daemon stopping) while it waits on a lock
/// another client holds is stopped once its grace has passed: the stop is not held for as long
/// as the lock, and nothing of the batch is applied (it is applied again at the next start).
@Suite struct StreamTargetCancelTests {
    @Test func aWriteWaitingOnALockIsStoppedOnceItsTaskIsCancelled() async throws {
        let database = try TargetUnderTest.mariaDB(try PortalLayout.make(suffix: PortalLayout.suffix()))
        _ = try database.createTablesAndOpen()
        let layout = database.layout
        let url = try TestServers.mariaDBURL()
        let stream = SQLStreamTarget(label: "scimsync.test.cancel", cancelGrace: .milliseconds(200)) {
            let connection = try TestServers.mariaDB()
            let target = try SQLTarget(mariaDB: connection, layout: layout)
            target.statementCanceller = MariaDBStatementCanceller(
                host: url.host, port: url.port, user: url.user, password: url.password, connectionID: connection.connectionID)
            return target
        }
        #expect(try await stream.resourceCount() == 0)

        // Another client's open transaction holds the row: the batch's INSERT of the same id
        // waits for its lock.
        let holder = try TestServers.mariaDB()
        try holder.execute("START TRANSACTION")
        try holder.query("INSERT INTO `\(layout.users.table)` (id, login, enabled) VALUES ('u1', 'held', 1)", [])
        let write = Task {
            try await stream.apply([.create(.user, Portal.user("u1", login: "ada", given: "Ada", family: "L", mail: nil))])
        }
        let waiting = try await eventually {
            try holder.query(
                "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE 'INSERT INTO%' AND ID <> CONNECTION_ID()", []
            ).first?.values.first.map { $0 != .int(0) } ?? false
        }
        #expect(waiting, "the write waits for the row's lock")

        write.cancel()
        let result = await write.result
        // Stopped (MariaDB's ER_QUERY_INTERRUPTED), not left to the lock's own timeout.
        #expect(throws: (any Error).self, "the write was stopped, not applied") { try result.get() }
        if case .failure(let error) = result {
            #expect(String(reflecting: error).contains("1317"), "\(String(reflecting: error))")
        }
        try holder.execute("ROLLBACK")
        #expect(try database.rows(layout.users.table, ["id"]).isEmpty)
        // The connection is usable again for the next batch.
        _ = try await stream.apply([.create(.user, Portal.user("u2", login: "bo", given: "Bo", family: "K", mail: nil))])
        #expect(try database.rows(layout.users.table, ["id"]) == [["u2"]])
    }
}

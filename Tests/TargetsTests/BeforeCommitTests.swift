import Connectors
import Directory
import Foundation
import SCIM
import Synchronization
import Testing

@testable import Targets

/// A batch whose COMMIT waits for another write (the offset store's record of what it
/// creates): the batch commits once that write ended, also when a refused row sends it down
/// the op-by-op path, and nothing of it when the write failed; the connection goes on working.
@Suite struct BeforeCommitTests {
    @Test func mariaDB() throws {
        try Self.scenario(try TargetUnderTest.mariaDB(try PortalLayout.make(suffix: PortalLayout.suffix())))
    }

    @Test func postgres() throws {
        let suffix = PortalLayout.suffix()
        try Self.scenario(try TargetUnderTest.postgres(try PortalLayout.make(suffix: suffix), schema: "gate_\(suffix)"))
    }

    @Test func sqlite() throws {
        try Self.scenario(try TargetUnderTest.sqlite(try PortalLayout.make(suffix: PortalLayout.suffix())))
    }

    struct LedgerFull: Error {}

    static func scenario(_ database: TargetUnderTest) throws {
        let target = try ApplyNeverBlocksTests.createTables(database)
        let table = database.layout.users.table
        func creates(_ ids: [String]) -> [ResourceOp] {
            ids.map { .create(.user, ApplyNeverBlocksTests.user($0, login: "login-\($0)")) }
        }

        let failing = PendingWrite { throw LedgerFull() }
        #expect {
            try target.apply(creates(["a1", "a2"]), beforeCommit: { try failing.wait() })
        } throws: { error in
            (error as? TargetError)?.kind == .beforeCommit && "\(error)".contains("offset store")
        }
        #expect(try database.rows(table, ["id"]).isEmpty, "nothing of the batch committed")

        let waited = Mutex(0)
        let recorded = PendingWrite { Thread.sleep(forTimeInterval: 0.05) }
        let result = try target.apply(creates(["b1", "b2"]), beforeCommit: {
            try recorded.wait()
            waited.withLock { $0 += 1 }
        })
        #expect(result.applied[.createUser] == 2)
        #expect(waited.withLock { $0 } == 1)

        // A refused row: the batch is applied again in parts, each commit after the write.
        var refused = ApplyNeverBlocksTests.user("c2", login: "login-c2")
        refused.attributes["title"] = "A title far longer than twenty characters"
        let mixed = try target.apply(
            creates(["c1"]) + [.create(.user, refused)] + creates(["c3"]),
            beforeCommit: { waited.withLock { $0 += 1 } })
        #expect(mixed.quarantined.map(\.subject) == [.user("c2")])
        #expect(waited.withLock { $0 } >= 2)
        #expect(try database.rows(table, ["id"]) == [["b1"], ["b2"], ["c1"], ["c3"]])

        // Without a write to wait for, as before.
        _ = try target.apply(creates(["d1"]))
        #expect(try database.rows(table, ["id"]).count == 5)
    }
}

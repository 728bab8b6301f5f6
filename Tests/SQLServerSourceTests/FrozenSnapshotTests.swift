import Connectors
import SQLServerClient
import TestSupport
import Testing

@testable import SQLServerSource

/// A SQL Server that stops answering in the middle of a load, its connection still open: the
/// snapshot's read gives up after the snapshot's read timeout instead of waiting for good, and
/// the next snapshot reads everything once the server answers again.
@Suite struct FrozenSnapshotTests {
    @Test(.enabled(if: !SQLServerTestServer.isRealServer, "freezes the test double's process"))
    func aReadFromAFrozenServerFailsAndTheNextSnapshotReadsEverything() async throws {
        let server = try SQLServerTestServer.privatePeer(arguments: [])
        defer { server.thaw() }
        let source = try SourceDatabase(on: server)
        let connector = source.connector(snapshotReadTimeout: .seconds(2))
        let snapshot = try await connector.openSnapshot()
        let users = try #require(try snapshot.loadPhases(chunkSize: 2)?.first { $0.name == "users" })
        let reader = HandedOver(users.read())
        #expect(try reader.value()?.count == 2)

        let chunk = try await server.callFrozen { try await offPool { try reader.value()?.count } }
        #expect(chunk.endedWhileFrozen, "the chunk's read waited for the frozen server")
        #expect(throws: SQLServerError.self) { try chunk.result.get() }

        server.thaw()
        try? snapshot.finish()
        let again = try await connector.openSnapshot()
        defer { try? again.finish() }
        let phase = try #require(try again.loadPhases(chunkSize: 2)?.first { $0.name == "users" })
        var loaded = 0
        for ops in try phase.allChunks() { loaded += ops.count }
        #expect(loaded == 4)
    }
}

import Daemon
import Foundation
import OffsetStore
import SQLClients
import Testing
import TestSupport

/// SIGTERM in the middle of a stream: the daemon exits 0 and the stored offset is exactly the
/// end of the last source transaction whose changes reached the target — not one before (a
/// replay would be harmless but the issue asks for the committed batch), not one after (a
/// change would be lost). The source is a private server no other test writes to, so the
/// server's position after each commit names that transaction exactly.
@Suite struct SigtermOffsetTests {
    static let transactions = 300

    @Test func offsetIsTheLastCommittedBatch() async throws {
        let fixture = try PrivateSourceFixture()
        let daemon = try DaemonProcess(stateDirectory: fixture.stateDirectory, environment: fixture.environment)
        try daemon.start()
        try #require(
            try await eventually { fixture.count("SELECT COUNT(*) FROM portal_memberships") == 4 },
            "the first load did not arrive: \(daemon.log)")

        // One user per transaction, the server's position recorded after each commit.
        let port = fixture.server.port
        let burst = Task {
            try await offPool { () throws -> [BinlogCoordinates] in
                let source = try PrivateSourceFixture.source(port: port)
                var positions: [BinlogCoordinates] = []
                for k in 0..<Self.transactions {
                    try source.execute(
                        "INSERT INTO sync_users (id, username, is_active) VALUES (\(1000 + k), 'burst\(k)', 1)")
                    positions.append(try source.currentBinlogPosition())
                }
                return positions
            }
        }
        let burstUsers = "SELECT COUNT(*) FROM portal_users WHERE CAST(id AS INTEGER) >= 1000"
        try await eventually(every: .milliseconds(5)) { fixture.count(burstUsers) >= 30 }
        let stopped = try await daemon.terminate()
        let positions = try await burst.value
        #expect(stopped?.reason == .exit, "\(daemon.log)")
        #expect(stopped?.status == 0, "\(daemon.log)")

        let arrived = fixture.count(burstUsers)
        #expect(arrived >= 30)
        // The arrived users are exactly the first ones, in commit order.
        #expect(fixture.count("SELECT MAX(CAST(id AS INTEGER)) FROM portal_users") == 1000 + arrived - 1)
        let store = try OffsetStore(path: fixture.stateDirectory + "/offsets.db")
        guard case .binlog(let file, let offset, _)? = try store.position(pipeline: "hr-to-portal"), arrived > 0 else {
            Issue.record("no binlog position stored, or nothing arrived (\(arrived))")
            return
        }
        let last = positions[arrived - 1]
        #expect("\(file):\(offset)" == "\(last.file):\(last.offset)", "\(arrived) of \(Self.transactions) transactions arrived")
        let run = try #require(try store.runs(pipeline: "hr-to-portal", kind: "run").first)
        #expect(run.endedAt != nil)
        #expect(run.error == nil)
        #expect(run.ops["create"] == arrived)
    }
}

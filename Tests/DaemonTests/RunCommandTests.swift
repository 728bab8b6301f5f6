import Config
import Daemon
import Foundation
import Inspection
import MySQLBinlog
import OffsetStore
import SQLClients
import SourceKinds
import Testing
import TestSupport
#if canImport(FoundationNetworking)
import FoundationNetworking
import scimsync
#endif

/// `scimsync run` as a process: SIGTERM lets the batch in flight commit, stores its offset and
/// exits 0.
@Suite struct RunCommandTests {
    @Test func sigtermStopsCleanlyWithTheOffsetCommitted() async throws {
        let fixture = try ExampleDirectories()
        let httpPort = try TestServers.closedPort()
        let path = fixture.stateDirectory + "/scimsync.yaml"
        let text = try String(contentsOfFile: ExampleDirectories.path("config/mariadb-to-sqlite.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "serverId: 4242", with: "serverId: \(UInt32.random(in: 10_000...900_000))")
            .replacingOccurrences(of: "http: { port: 9100 }", with: "http: { port: \(httpPort) }")
        try text.write(toFile: path, atomically: true, encoding: .utf8)

        let process = Process()
        process.executableURL = CheckCommandTests.executable
        process.arguments = ["run", "--config", path]
        process.environment = fixture.environment.merging(["PATH": "/usr/bin:/bin"]) { a, _ in a }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()

        let target = try SQLiteDatabase(path: fixture.sqlitePath)
        func count() -> Int {
            guard case .int(let n)? = try? target.query("SELECT COUNT(*) FROM portal_memberships").first?.values.first else {
                return -1
            }
            return Int(n)
        }
        let deadline = ContinuousClock.now + TestBounds.serverEvent
        while count() != 4, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(count() == 4, "the first load did not arrive")

        let source = try MariaDBConnection(
            host: fixture.environment["HR_DB_HOST"]!, port: Int(fixture.environment["HR_DB_PORT"]!)!,
            user: fixture.environment["HR_DB_USER"]!, password: fixture.environment["HR_DB_PASSWORD"]!,
            database: fixture.hrDatabase)
        _ = try source.execute("INSERT INTO sync_users_groups_rel VALUES (1, 1)")
        let after = try source.currentBinlogPosition()
        while count() != 5, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(count() == 5, "the live change did not arrive")

        // The admin endpoints: up, ready (the pipeline streams), and counting.
        #expect(try await get(httpPort, "/healthz") == (200, "ok\n"))
        #expect(try await get(httpPort, "/readyz") == (200, "hr-to-portal streaming\n"))
        let metrics = try await get(httpPort, "/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.body.contains(#"scimsync_ops_applied_total{pipeline="hr-to-portal",kind="addMember"} 1"#), "\(metrics.body)")
        #expect(metrics.body.contains(#"scimsync_lag_seconds{pipeline="hr-to-portal"}"#))

        // SIGHUP (a closed terminal, an expected reload) is logged and ignored.
        kill(process.processIdentifier, SIGHUP)
        try await Task.sleep(for: .milliseconds(300))
        #expect(process.isRunning, "SIGHUP ended the daemon")
        #expect(try await get(httpPort, "/healthz") == (200, "ok\n"))

        process.terminate()
        try await offPool { process.waitUntilExit() }
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)

        let store = try OffsetStore(path: fixture.stateDirectory + "/offsets.db")
        guard case .binlog(let file, let offset, _)? = try store.position(pipeline: "hr-to-portal") else {
            Issue.record("no binlog position stored")
            return
        }
        #expect(!(BinlogPosition(file: file, offset: offset) < BinlogPosition(file: after.file, offset: after.offset)))
        let run = try #require(try store.runs(pipeline: "hr-to-portal", kind: "run").first)
        #expect(run.endedAt != nil)
        #expect(run.error == nil)
        // status asks the source how far behind the stored position is.
        let config = try ConfigLoader.parse(text, file: path, baseDirectory: fixture.stateDirectory, kinds: configKinds, environment: fixture.environment)
        let status = try #require(try PipelineStatus.all(config, askSources: SourceKinds.registry).first)
        #expect(status.state == "stopped")
        switch status.lag {
        case .caughtUp?, .behind?: break
        case .unknown(let reason)?: Issue.record("the source was not reachable: \(reason)")
        case nil: Issue.record("no lag reported")
        }
    }

    /// A port another process listens on ends `run` before any pipeline writes, with the key
    /// to change.
    @Test func aPortInUseIsToldBeforeAnythingIsWritten() async throws {
        let fixture = try ExampleDirectories()
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(bound == 0 && listen(listener, 1) == 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        let port = Int(UInt16(bigEndian: address.sin_port))
        let path = fixture.stateDirectory + "/scimsync.yaml"
        try String(contentsOfFile: ExampleDirectories.path("config/mariadb-to-sqlite.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "http: { port: 9100 }", with: "http: { port: \(port) }")
            .write(toFile: path, atomically: true, encoding: .utf8)
        let outcome = try await ReconcileCommandTests().scimsync(["run", "--config", path], environment: fixture.environment)
        #expect(outcome.status == 1, "\(outcome.output)")
        #expect(outcome.output.contains("http.port: 127.0.0.1:\(port) is in use"), "\(outcome.output)")
        #expect(try SQLiteDatabase(path: fixture.sqlitePath).query("SELECT id FROM portal_users").isEmpty, "nothing loaded")
    }

    /// Output that cannot be written (a full disk) is an error, not exit status 0.
    @Test func outputThatCannotBeWrittenIsAnError() async throws {
        let full = try #require(FileHandle(forWritingAtPath: "/dev/full"))
        let process = Process()
        process.executableURL = CheckCommandTests.executable
        process.arguments = ["--help"]
        process.standardOutput = full
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let said = errors.fileHandleForReading.readDataToEndOfFile()
        try await offPool { process.waitUntilExit() }
        #expect(process.terminationStatus == 2)
        #expect(String(decoding: said, as: UTF8.self).contains("cannot write the output: No space left on device"))
    }
}

/// GET on the daemon's admin port: status and body.
func get(_ port: Int, _ path: String) async throws -> (status: Int, body: String) {
    let url = try #require(URL(string: "http://127.0.0.1:\(port)\(path)"))
    let (data, response) = try await URLSession.shared.data(from: url)
    return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
}

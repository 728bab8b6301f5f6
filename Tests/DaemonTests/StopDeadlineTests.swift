import Foundation
import SQLClients
import Testing
import TestSupport

/// SIGTERM while a first load waits on a lock another client holds on a target table: the stop
/// is bounded. The process says what it waited for and exits 1, and the next start, once the
/// lock is gone, loads the target.
@Suite struct StopDeadlineTests {
    @Test func aStopHeldByALockedLoadEndsAfterItsBound() async throws {
        let fixture = try ExampleDirectories()
        let schema = TestServers.uniqueName("portal")
        let postgres = try TestServers.postgres()
        for statement in try ExampleDirectories.statements(in: "config/sql/postgres-target.sql") {
            try postgres.execute(
                statement.replacingOccurrences(of: "portal.", with: "\(schema).")
                    .replacingOccurrences(of: "SCHEMA IF NOT EXISTS portal", with: "SCHEMA IF NOT EXISTS \(schema)"))
        }
        defer { try? postgres.execute("DROP SCHEMA \"\(schema)\" CASCADE") }
        let configPath = fixture.stateDirectory + "/scimsync.yaml"
        try PipelineHarness.exampleText("config/mariadb-to-postgres.yaml")
            .replacingOccurrences(of: "schema: portal", with: "schema: \(schema)")
            .write(toFile: configPath, atomically: true, encoding: .utf8)
        let logPath = fixture.stateDirectory + "/run.log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        func start() throws -> Process {
            let process = Process()
            process.executableURL = CheckCommandTests.executable
            process.arguments = ["run", "--config", configPath]
            process.environment = fixture.environment.merging(["PATH": "/usr/bin:/bin"]) { a, _ in a }
            let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
            log.seekToEndOfFile()
            process.standardOutput = log
            process.standardError = log
            try process.run()
            return process
        }
        func users() -> Int {
            guard case .int(let n)? = try? postgres.query("SELECT COUNT(*) FROM \"\(schema)\".portal_users", []).first?.values.first
            else { return -1 }
            return Int(n)
        }
        let holder = try TestServers.postgres()
        try holder.execute("BEGIN")
        try holder.execute("LOCK TABLE \"\(schema)\".portal_users IN ACCESS EXCLUSIVE MODE")
        // Released before the schema is dropped, whatever happens (defers run last first).
        var holding = true
        defer { if holding { try? holder.execute("ROLLBACK") } }

        var process = try start()
        defer { if process.isRunning { process.terminate() } }
        // The load waits for the lock: a lock on the table not granted (pg_locks shows every
        // session's).
        let waiting = try await eventually {
            // Not `'…'::regclass`: resolving the name waits for the lock too.
            guard case .int(let n)? = try holder.query(
                """
                SELECT COUNT(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
                  JOIN pg_namespace s ON s.oid = c.relnamespace
                WHERE NOT l.granted AND s.nspname = $1 AND c.relname = 'portal_users'
                """, [.text(schema)]
            ).first?.values.first else { return false }
            return n > 0
        }
        try #require(waiting, "the load waits on the lock")
        process.terminate()
        let stopped = try await eventually(timeout: .seconds(90)) { !process.isRunning }
        try #require(stopped, "the stop ends while the lock is held: \((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "")")
        #expect(process.terminationReason == .exit && process.terminationStatus == 1)
        let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        #expect(log.contains("the stop has waited 30 s for work in flight that does not end"), "\(log.suffix(2_000))")

        try holder.execute("COMMIT")
        holding = false
        // Read only now: a read of the table waits for the lock too.
        #expect(users() == 0)
        process = try start()
        try #require(try await eventually { users() == 4 }, "the next start loads the target")
        process.terminate()
        try await offPool { [process] in process.waitUntilExit() }
        #expect(process.terminationStatus == 0)
    }
}

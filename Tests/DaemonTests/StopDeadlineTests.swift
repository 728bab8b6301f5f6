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
        let (text, schema) = try PipelineHarness.postgresText()
        let postgres = try TestServers.postgres()
        defer { try? postgres.execute("DROP SCHEMA \"\(schema)\" CASCADE") }
        let daemon = try DaemonProcess(stateDirectory: fixture.stateDirectory, configText: text, environment: fixture.environment)
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

        try daemon.start()
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
        daemon.signalTerminate()
        let stopped = try await daemon.waitForExit()
        try #require(stopped != nil, "the stop ends while the lock is held: \(daemon.log.suffix(2_000))")
        #expect(stopped?.reason == .exit && stopped?.status == 1)
        #expect(daemon.log.contains("the stop has waited 30 s for work in flight that does not end"), "\(daemon.log.suffix(2_000))")

        try holder.execute("COMMIT")
        holding = false
        // Read only now: a read of the table waits for the lock too.
        #expect(users() == 0)
        try daemon.start()
        try #require(try await eventually { users() == 4 }, "the next start loads the target")
        let ended = try await daemon.terminate()
        #expect(ended?.reason == .exit && ended?.status == 0)
    }
}

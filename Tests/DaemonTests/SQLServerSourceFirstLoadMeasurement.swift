import Config
import Foundation
import OffsetStore
import SQLClients
import TestSupport
import Testing

/// By hand: how long the first load of SCIMSYNC_SQLSERVER_LOAD_USERS users (one membership
/// each) takes from the TDS test double into SQLite, printed. Not a CI test: the double is
/// Python, and filling it dominates.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["SCIMSYNC_SQLSERVER_LOAD_USERS"] != nil))
struct SQLServerSourceFirstLoadMeasurement {
    @Test func firstLoad() async throws {
        let users = Int(ProcessInfo.processInfo.environment["SCIMSYNC_SQLSERVER_LOAD_USERS"] ?? "") ?? 10_000
        let harness = try SQLServerSourceHarness()
        let source = try harness.source()
        let filling = ContinuousClock.now
        for start in stride(from: 0, to: users, by: 1_000) {
            let ids = (start..<min(start + 1_000, users)).map { 10_000 + $0 }
            try source.execute("START TRANSACTION")
            try source.query(
                "INSERT INTO sync_users (id, username, first_name, last_name, email, is_active) VALUES "
                    + ids.map { "(\($0), N'bulk\($0)', N'Fïrst\($0)', N'Läst', N'b\($0)@example.com', \($0 % 7 == 0 ? 0 : 1))" }
                    .joined(separator: ","), [])
            try source.query(
                "INSERT INTO sync_users_groups_rel (user_id, group_id) VALUES "
                    + ids.map { "(\($0), \($0 % 4 + 1))" }.joined(separator: ","), [])
            try source.execute("COMMIT")
        }
        let filled = ContinuousClock.now
        let config = try harness.sqliteConfig()
        let pipeline = try #require(config.pipelines.first)
        let store = try OffsetStore(path: config.offsets.path)
        let running = PipelineHarness.start(pipeline, store: store)
        defer { running.cancel() }
        try #require(try await eventually(timeout: .seconds(3600), every: .milliseconds(100)) {
            try store.position(pipeline: pipeline.name) != nil
        })
        let loaded = ContinuousClock.now
        let count = try SQLiteDatabase(path: harness.fixture.sqlitePath).query("SELECT COUNT(*) FROM portal_users").first?.values.first
        print("sqlserver first load: \(users) users filled in \(filled - filling), loaded into SQLite in \(loaded - filled) (\(String(describing: count)))")
        running.cancel()
        try await running.value
    }
}

import Config
import Foundation
import OffsetStore
import SQLClients
import TestSupport
import Testing
import scimsync

@testable import Daemon

/// A position belongs to the configuration it was streamed under. A daemon started with
/// another mapping reconciles before it streams on: rows that do not change again get the new
/// mapping too, not only the ones changed later.
@Suite struct ConfigurationChangeTests {
    @Test func aNewlyMappedAttributeReachesRowsThatDoNotChangeAgain() async throws {
        let fixture = try PrivateSourceFixture()
        let example = try PipelineHarness.exampleText("config/mariadb-to-sqlite.yaml")
        // First without the title, on both sides.
        let without = example.replacingOccurrences(of: "            title: job_title\n", with: "")
            .replacingOccurrences(of: "            title: title\n", with: "")
        #expect(without != example)
        func pipeline(_ text: String) throws -> PipelineConfig {
            let config = try ConfigLoader.parse(
                text, file: "mariadb-to-sqlite.yaml", baseDirectory: fixture.stateDirectory, kinds: configKinds,
                environment: fixture.environment)
            return try #require(config.pipelines.first)
        }
        let before = try pipeline(without)
        let store = try OffsetStore(path: try ConfigLoader.parse(
            example, file: "mariadb-to-sqlite.yaml", baseDirectory: fixture.stateDirectory, kinds: configKinds,
            environment: fixture.environment).offsets.path)
        let source = try fixture.source()
        try source.execute("UPDATE sync_users SET job_title = CONCAT('Title of ', username)")

        var running = PipelineHarness.start(before, store: store)
        try #require(try await eventually { try store.position(pipeline: before.name) != nil }, "the first load did not commit")
        running.cancel()
        try await running.value
        let path = fixture.sqlitePath
        let titles = { try SQLiteDatabase(path: path).query("SELECT title FROM portal_users WHERE title IS NOT NULL") }
        #expect(try titles().isEmpty, "no title mapped yet")

        // The title mapped: the rows that already are in the target get it at start, with no
        // change at the source.
        let after = try pipeline(example)
        running = PipelineHarness.start(after, store: store)
        defer { running.cancel() }
        let expected = try DirectoryRows.source(source, deactivated: [])
        try await converge("the new mapping applied to every row", seed: 0, expected: expected) {
            try DirectoryRows.target { try SQLiteDatabase(path: path).query($0) }
        }
        #expect(try titles().count == 4)
        // Recorded once the load returned, just after its last write.
        #expect(
            try await eventually { try store.configurationDigests(pipeline: after.name) == ConfigurationDigests.of(after) },
            "the new configuration's digests were not recorded")
        running.cancel()
        try await running.value
    }

    /// What counts as a change: where it reads and writes, the mappings, the policies; not a
    /// password, and not a part an older version did not record.
    @Test func theDigestsTellWhichPartChanged() throws {
        let example = try PipelineHarness.exampleText("config/mariadb-to-sqlite.yaml")
        func pipeline(_ text: String, password: String = "secret-password-1") throws -> PipelineConfig {
            let config = try ConfigLoader.parse(
                text, file: "mariadb-to-sqlite.yaml", baseDirectory: "/tmp", kinds: configKinds,
                environment: ["HR_DB_PASSWORD": password])
            return try #require(config.pipelines.first)
        }
        let base = ConfigurationDigests.of(try pipeline(example))
        #expect(ConfigurationDigests.changed(stored: base, current: ConfigurationDigests.of(try pipeline(example, password: "other-password-2"))).isEmpty)
        let mapped = ConfigurationDigests.of(try pipeline(example.replacingOccurrences(of: "            title: job_title\n", with: "")))
        #expect(ConfigurationDigests.changed(stored: base, current: mapped) == ["source mapping"])
        let moved = ConfigurationDigests.of(try pipeline(example.replacingOccurrences(of: "${PORTAL_DB:-portal.db}", with: "other.db")))
        #expect(ConfigurationDigests.changed(stored: base, current: moved) == ["target"])
        let deleting = ConfigurationDigests.of(try pipeline(example.replacingOccurrences(of: "onDelete: deactivate", with: "onDelete: delete")))
        #expect(ConfigurationDigests.changed(stored: base, current: deleting) == ["onDelete"])
        var older = base
        older["adopt"] = nil
        #expect(ConfigurationDigests.changed(stored: older, current: base).isEmpty)
    }
}

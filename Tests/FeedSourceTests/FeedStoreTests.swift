import Directory
import Foundation
import GRDB
import SQLiteStore
import SCIM
import Testing

@testable import FeedSource

@Suite struct FeedStoreTests {
    @Test func runsAndUsersSurviveReopening() throws {
        let feed = try FeedHarness()
        let upload = try feed.upload(
            ["users.tsv": Fixtures.tsv([("ann", "Ann", "Lee", "ann@example.com", "Staff")])], by: "hr-export")
        _ = try feed.apply(upload.run, approvedBy: "admin")
        try feed.reopen()
        let run = try #require(try feed.store.run(upload.run))
        #expect(run.state == .complete)
        #expect(run.startedBy == "hr-export")
        #expect(run.files.map(\.name) == ["users.tsv"])
        #expect(
            run.files.first?.size == Int64(Fixtures.tsv([("ann", "Ann", "Lee", "ann@example.com", "Staff")]).utf8.count)
        )
        #expect(run.files.first?.digest.count == 64)
        #expect(run.planned == 1 && run.appliedThrough == 1)
        #expect(try feed.store.lastCompleteRun()?.id == upload.run)
        let ann = try #require(try feed.store.user(named: "Ann"))
        #expect(ann.userName == "ann" && ann.id == "ann" && ann.owned && ann.inFeed && !ann.error)
        #expect(ann.lastChangedRun == upload.run)
        #expect(ann.groups == ["g-staff"])
        #expect(ann.digest?.count == 64)
        let raw = try #require(ann.rawJSON)
        #expect(
            try SCIMValue(json: raw)
                == .object(
                    SCIMObject([
                        ("login", "ann"), ("first", "Ann"), ("last", "Lee"), ("mail", "ann@example.com"),
                        ("groups", "Staff"),
                    ])))
        #expect(ann.resource?["name"]?.objectValue?["givenName"] == .string("Ann"))
    }

    /// A crash while applying: the run is found `running` on reopening and resumes after the
    /// last chunk it recorded; recorded chunks are never handed out again, the chunk in flight
    /// is.
    @Test func aRunningRunResumesWithoutRepeatingWhatWasApplied() throws {
        let feed = try FeedHarness()
        let rows = (0..<7).map { ("user\($0)", "First\($0)", "Last", "u\($0)@example.com", "Staff") }
        let upload = try feed.upload(["users.tsv": Fixtures.tsv(rows)])
        try feed.store.start(upload.run, approvedBy: "admin", managedGroups: ["g-staff"])

        let a = try #require(try feed.store.nextChunk(upload.run, maxUsers: 3))
        try feed.store.chunkApplied(a)
        let inFlight = try #require(try feed.store.nextChunk(upload.run, maxUsers: 3))
        // The process dies here, after sending `inFlight` to the target but before recording it.
        try feed.reopen()

        let running = try #require(try feed.store.runningRun())
        #expect(running.id == upload.run)
        #expect(running.appliedThrough == 3)
        var resumed: [ResourceOp] = []
        var first = true
        while let chunk = try feed.store.nextChunk(upload.run, maxUsers: 3) {
            if first { #expect(chunk == inFlight) }
            first = false
            resumed += chunk.ops
            try feed.store.chunkApplied(chunk)
            // Recording the same chunk twice (a retried call) changes nothing.
            try feed.store.chunkApplied(chunk)
            try feed.store.chunkApplied(a)
        }
        try feed.store.finish(upload.run)
        let all = a.ops + resumed
        let created = all.compactMap { op -> String? in if case .create(_, let r) = op { r.id } else { nil } }
        #expect(created == (0..<7).map { "user\($0)" })
        #expect(all.count == 14)
        #expect(Set(all).count == all.count)
        #expect(try feed.store.users().count == 7)
        #expect(try feed.store.run(upload.run)?.state == .complete)
    }

    /// Finishing a run clears its own staged records and plan rows, all at once when they are
    /// the tables' only rows, and only its own when another run's are there too (one run is
    /// open at a time, but a store may hold what an older version left).
    @Test func finishingARunClearsOnlyItsOwnWork() throws {
        let feed = try FeedHarness()
        let ann = ("ann", "Ann", "Lee", "ann@example.com", "Staff")
        let bob = ("bob", "Bob", "Roe", "bob@example.com", "Staff")
        let first = try feed.upload(["users.tsv": Fixtures.tsv([ann, bob])])
        _ = try feed.apply(first.run, approvedBy: "admin")
        #expect(try workRows() == [])

        let second = try feed.upload(["users.tsv": Fixtures.tsv([bob])])
        try feed.store.write { db in
            try db.execute(
                sql: """
                    INSERT INTO run_records (run, key, user_name, file, skipped)
                    VALUES (?1 - 1, 'old', 'old', 'f', 1), (?1 + 1, 'new', 'new', 'f', 1)
                    """, arguments: [second.run])
            try db.execute(
                sql: """
                    INSERT INTO plan (run, seq, key, kind, ops, state)
                    VALUES (?1 - 1, 1, 'old', 'create', '[]', '{}'), (?1 + 1, 1, 'new', 'create', '[]', '{}')
                    """, arguments: [second.run])
        }
        let ops = try feed.apply(second.run, approvedBy: "admin")
        #expect(ops == [.deactivate(userID: "ann")])
        #expect(
            try workRows() == [
                "plan \(second.run - 1)", "plan \(second.run + 1)", "run_records \(second.run - 1)",
                "run_records \(second.run + 1)",
            ])

        func workRows() throws -> [String] {
            try feed.store.read { db in
                try String.fetchAll(
                    db,
                    sql: """
                        SELECT 'plan ' || run FROM plan UNION ALL SELECT 'run_records ' || run FROM run_records ORDER BY 1
                        """)
            }
        }
    }

    @Test func finishingBeforeEverythingIsAppliedIsRefused() throws {
        let feed = try FeedHarness()
        let upload = try feed.upload(["users.tsv": Fixtures.tsv([("ann", "Ann", "Lee", "ann@example.com", "")])])
        try feed.store.start(upload.run, approvedBy: "admin", managedGroups: [])
        #expect(throws: FeedStoreError.notFullyApplied(run: upload.run, applied: 0, planned: 1)) {
            try feed.store.finish(upload.run)
        }
    }

    @Test func retentionKeepsTheNewestRunsFiles() throws {
        let feed = try FeedHarness()
        var runs: [Int64] = []
        for i in 0..<4 {
            let upload = try feed.upload(["users.tsv": Fixtures.tsv([("ann", "Ann\(i)", "Lee", "ann@example.com", "")])]
            )
            _ = try feed.apply(upload.run, approvedBy: "admin")
            runs.append(upload.run)
        }
        #expect(try feed.store.pruneFiles(keep: 2, in: feed.area) == Array(runs.prefix(2)))
        for (index, run) in runs.enumerated() {
            #expect(FileManager.default.fileExists(atPath: feed.area.path(of: "users.tsv", in: run)) == (index >= 2))
            #expect(try feed.store.run(run)?.filesPruned == (index < 2))
            #expect(try feed.store.run(run)?.files.count == 1)
        }
        #expect(try feed.store.pruneFiles(keep: 2, in: feed.area).isEmpty)
    }

    @Test func feedPositionsTravelAsTokens() {
        let position = FeedPosition(run: 12, applied: 300)
        #expect(position.sourcePosition == .token("feed:run=12:applied=300"))
        #expect(FeedPosition(position.sourcePosition) == position)
        #expect(FeedPosition(.token("scim:abc")) == nil)
    }

    /// A user the target refused is flagged; the next run sends it whole although its record
    /// did not change, and clears the flag.
    @Test func aFlaggedUserIsSentAgainByTheNextRun() throws {
        let feed = try FeedHarness()
        let text = Fixtures.tsv([
            ("ann", "Ann", "Lee", "ann@example.com", "Staff"), ("bob", "Bob", "Roe", "bob@example.com", ""),
        ])
        _ = try feed.apply(try feed.upload(["users.tsv": text]).run, approvedBy: "admin")
        try feed.store.markError(userName: "ANN")
        #expect(try feed.store.user(named: "ann")?.error == true)
        let second = try feed.upload(["users.tsv": text])
        #expect(second.outcome == .ready)
        let ann = try #require(try feed.store.user(named: "ann")?.resource)
        #expect(try feed.apply(second.run) == [.create(.user, ann), .addMember(groupID: "g-staff", userID: "ann")])
        #expect(try feed.store.user(named: "ann")?.error == false)
        let third = try feed.upload(["users.tsv": text])
        #expect(try feed.apply(third.run).isEmpty)
    }

    @Test func uploadedFilesStayInsideTheirRunsDirectory() throws {
        let feed = try FeedHarness()
        for name in ["../feed.db", "a/b.tsv", "..", ""] {
            #expect(throws: FeedUploadNameError(name: name)) { try feed.area.write([1, 2, 3], named: name, in: 1) }
        }
        try feed.area.write([1, 2, 3], named: "users.tsv", in: 1)
        #expect(FileManager.default.contents(atPath: feed.area.path(of: "users.tsv", in: 1)) == Data([1, 2, 3]))
    }

    /// A store made before the work tables became ordinary tables keeps its users and its
    /// run in progress when it is opened again.
    @Test func aStoreWithWithoutRowIDTablesIsMigratedWithItsRows() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("feed-migrate-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("feed.db").path
        do {
            let old = try DatabaseQueue(path: path)
            try SQLiteStoreSetup.migrate(old, Array(FeedStore.migrations.prefix(1)))
            try old.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO runs (id, state, created, started_by, planned) VALUES (1, 'running', '2026-01-01T00:00:00Z', 'hr', 1);
                        INSERT INTO users (key, user_name, id, owned, in_feed, digest, resource, groups, raw, last_changed_run, error)
                          VALUES ('ann', 'Ann', 'Ann', 1, 1, 'd1', '{"userName":"Ann"}', '["g-staff"]', '{}', 1, 0);
                        INSERT INTO run_records (run, key, user_name, file, skipped) VALUES (1, 'bob', 'bob', 'users.tsv', 1);
                        INSERT INTO plan (run, seq, key, kind, ops, state)
                          VALUES (1, 1, 'bob', 'create', '[]', '{"key":"bob","userName":"bob","id":"bob","owned":true,"inFeed":true,"groups":[],"error":false}');
                        """)
            }
        }
        let store = try FeedStore(path: path)
        let ann = try #require(try store.user(named: "ann"))
        #expect(ann.userName == "Ann" && ann.groups == ["g-staff"] && ann.resource?["userName"] == .string("Ann"))
        try store.chunkApplied(FeedPlanChunk(run: 1, after: 0, through: 1, ops: []))
        let bob = try #require(try store.user(named: "bob"))
        #expect(bob.id == "bob" && bob.owned && bob.inFeed && !bob.error && bob.groups.isEmpty)
        let withoutRowID = try store.queue.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%WITHOUT ROWID%'")
        }
        #expect(withoutRowID == ["run_log"])
    }

    /// Planning grows the write-ahead log to the run's size: a finished run truncates it, so
    /// that the largest run's log does not stay on disk beside the store.
    @Test func aFinishedRunLeavesNoLogBehind() throws {
        let feed = try FeedHarness()
        let rows = (0..<2_000).map { ("user\($0)", "First", "Last", "user\($0)@example.com", "Staff") }
        let upload = try feed.upload(["users.tsv": Fixtures.tsv(rows)], by: "hr-export")
        _ = try feed.apply(upload.run, approvedBy: "admin")
        #expect(try feed.store.run(upload.run)?.state == .complete)
        let log = try FileManager.default.attributesOfItem(atPath: feed.store.path + "-wal")[.size] as? NSNumber
        #expect(log?.intValue == 0)
    }
}

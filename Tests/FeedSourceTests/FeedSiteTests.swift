import Config
import Foundation
import Testing

@testable import FeedSource

/// A pipeline's feed as the CLI and the admin server use it.
@Suite struct FeedSiteTests {
    let dir: TemporaryDirectory
    let settings: FeedSourceConfig

    init() throws {
        dir = try TemporaryDirectory()
        settings = FeedSourceConfig(controlPath: "control.json", control: try Fixtures.control())
    }

    func open() throws -> FeedSite {
        try FeedSite(settings: settings, pipeline: "hr", offsetsPath: dir.file("offsets.db"))
    }

    static let users = Fixtures.tsv([
        ("ada", "Ada", "Lovelace", "ada@example.com", "Staff"),
        ("bob", "Bob", "Babbage", "bob@example.com", "Staff;Sales"),
    ])

    @Test func theDirectoryIsBesideTheOffsetStore() throws {
        let site = try open()
        #expect(site.directory == dir.file("offsets.db") + ".feeds/hr")
        #expect(FileManager.default.fileExists(atPath: site.directory + "/feed.db"))
    }

    /// A run is not read while one of its files is still being received, so its record (each
    /// file's size and digest) is the files it keeps; once every file is in, it is.
    @Test func aRunIsNotReadWhileAFileOfItIsBeingReceived() throws {
        let site = try open()
        let run = try site.beginUpload(startedBy: "http")
        let first = try site.fileWriter(run: run, name: "users.tsv")
        try first.write(Array(Self.users.utf8))
        try first.close()
        let replacement = Fixtures.tsv([("ada", "Ada", "Lovelace", "ada@example.com", "Staff")])
        let late = try site.fileWriter(run: run, name: "users.tsv")
        try late.write(Array(replacement.utf8))
        #expect(throws: FeedSiteError.busy("a file of run \(run) is still being received (or the run is being read): finish once every file is in")) {
            try site.finishUpload(run: run)
        }
        #expect(try site.run(run)?.state == .uploading)
        try late.close()
        let staged = try site.finishUpload(run: run)
        #expect(staged.run.state == .ready)
        #expect(staged.run.files.first?.size == Int64(replacement.utf8.count))
        #expect(staged.run.files.first?.records == 1)
        // An abandoned writer (a request cut off) lets the run be read too, without its file.
        try site.cancel(run: run)
        let next = try site.beginUpload(startedBy: "http")
        do {
            let abandoned = try site.fileWriter(run: next, name: "users.tsv")
            try abandoned.write([0x41])
        }
        #expect(try site.finishUpload(run: next).run.state == .failure)
    }

    @Test func aFirstUploadFromAPathIsHeldUntilApproved() throws {
        let site = try open()
        let path = try dir.write("users.tsv", Self.users)
        let staged = try site.stage(files: [.path(path)], startedBy: "alice")
        guard case .held(let reason) = staged.outcome else {
            Issue.record("expected a held run, got \(staged.outcome)")
            return
        }
        #expect(reason.contains("first run"))
        #expect(staged.run.state == .ready)
        #expect(staged.run.startedBy == "alice")
        #expect(staged.run.counts["records"] == 2)
        #expect(try site.store.nextRunToApply() == nil)

        let approved = try site.approve(run: staged.run.id, by: "carol")
        #expect(approved.approvedBy == "carol")
        #expect(try site.store.nextRunToApply()?.id == staged.run.id)
        #expect(try site.runs().map(\.id) == [staged.run.id])
        #expect(try String(contentsOfFile: site.filePath(run: staged.run.id, name: "users.tsv"), encoding: .utf8) == Self.users)
        #expect(try site.fileNames(run: staged.run.id) == ["users.tsv"])
        #expect(throws: FeedSiteError.self) { try site.filePath(run: staged.run.id, name: "other.tsv") }
        #expect(throws: FeedSiteError.self) { try site.filePath(run: staged.run.id, name: "../feed.db") }
    }

    @Test func anUploadFromBytesThatAppliesByItself() throws {
        let site = try FeedSite(
            settings: FeedSourceConfig(controlPath: "control.json", control: try Fixtures.control(), firstRun: .apply),
            pipeline: "hr", offsetsPath: dir.file("offsets.db"))
        let staged = try site.stage(files: [.bytes(name: "users.tsv", Data(Self.users.utf8))], startedBy: "http")
        #expect(staged.outcome == .ready)
        #expect(try site.store.nextRunToApply()?.id == staged.run.id)
    }

    /// A file the control file does not list is kept with the run but not read, and the
    /// upload says so; a download of a name the run does not have lists the names it keeps.
    @Test func anUnlistedFileIsKeptNotReadAndNamed() throws {
        let site = try open()
        let staged = try site.stage(
            files: [.bytes(name: "users.tsv", Data(Self.users.utf8)), .bytes(name: "Users-old.tsv", Data(Self.users.utf8))],
            startedBy: "alice")
        #expect(staged.unlistedFiles == ["Users-old.tsv"])
        #expect(staged.run.counts["records"] == 2)
        #expect(staged.run.files.map(\.name) == ["users.tsv"])
        #expect(
            throws: FeedSiteError.noSuchFile(
                run: staged.run.id, name: "staff.tsv", reason: "it has the files Users-old.tsv, users.tsv")
        ) { try site.filePath(run: staged.run.id, name: "staff.tsv") }
    }

    @Test func aHeldRunIsCancelled() throws {
        let site = try open()
        let staged = try site.stage(files: [.bytes(name: "users.tsv", Data(Self.users.utf8))], startedBy: "alice")
        try site.cancel(run: staged.run.id)
        #expect(try site.run(staged.run.id)?.state == .cancelled)
        #expect(try site.store.nextRunToApply() == nil)
        #expect(throws: FeedSiteError.self) { try site.approve(run: staged.run.id, by: "carol") }
    }

    @Test func aMissingFileFailsTheRunAndABadNameCancelsIt() throws {
        let site = try open()
        let missing = try site.stage(files: [.bytes(name: "other.tsv", Data("x".utf8))], startedBy: "alice")
        guard case .failed(let reason) = missing.outcome else {
            Issue.record("expected a failed run, got \(missing.outcome)")
            return
        }
        #expect(reason.contains("users.tsv was not uploaded"))
        #expect(throws: FeedSiteError.badName(FeedUploadNameError(name: "../users.tsv"))) {
            try site.stage(files: [.bytes(name: "../users.tsv", Data())], startedBy: "alice")
        }
        #expect(try site.runs().first?.state == .cancelled)
    }

    @Test func aStreamedUpload() throws {
        let site = try open()
        let run = try site.beginUpload(startedBy: "http")
        let writer = try site.fileWriter(run: run, name: "users.tsv")
        for line in Self.users.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            try writer.write(Array((line + "\n").utf8))
        }
        #expect(!FileManager.default.fileExists(atPath: site.area.path(of: "users.tsv", in: run)))
        try writer.close()
        let staged = try site.finishUpload(run: run)
        #expect(staged.run.counts["records"] == 2)
        #expect(try site.fileNames(run: run) == ["users.tsv"])
    }

    /// The daemon and a `scimsync feed` command open one store at once: one writes while
    /// the other holds a write transaction, and reads never wait.
    @Test func twoOpenersShareTheStore() async throws {
        let daemon = try open()
        let command = try open()
        let staged = try command.stage(files: [.bytes(name: "users.tsv", Data(Self.users.utf8))], startedBy: "alice")
        #expect(try daemon.run(staged.run.id)?.state == .ready)
        // Many writes from both at once: every one lands (none fails with "database is locked").
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<20 {
                let site = index % 2 == 0 ? daemon : command
                group.addTask { try site.store.markError(userName: "nobody-\(index)") }
                group.addTask { _ = try site.runs() }
            }
            try await group.waitForAll()
        }
        try command.approve(run: staged.run.id, by: "carol")
        #expect(try daemon.store.nextRunToApply()?.approvedBy == "carol")
    }
}

import Directory
import Foundation

@testable import FeedSource

/// A feed with its store and upload area in a temporary directory.
final class FeedHarness {
    let dir: TemporaryDirectory
    var store: FeedStore
    let area: FeedUploadArea
    let control: FeedControl
    var rule = SafetyRule()

    init(control: FeedControl? = nil) throws {
        dir = try TemporaryDirectory()
        store = try FeedStore(path: dir.file("feed.db"))
        area = FeedUploadArea(root: dir.file("uploads"))
        self.control = try control ?? Fixtures.control()
    }

    /// Opens the store file again, as a restarted process would.
    func reopen() throws {
        store = try FeedStore(path: dir.file("feed.db"))
    }

    var ingest: FeedIngest { FeedIngest(control: control, store: store, area: area, rule: rule, batchSize: 3) }

    /// Uploads `files` as a new run and reads them in.
    func upload(_ files: [String: String], by person: String = "hr-export") throws -> (
        run: Int64, outcome: FeedIngest.Outcome
    ) {
        let run = try store.createRun(startedBy: person)
        for (name, text) in files { try area.write(Array(text.utf8), named: name, in: run) }
        return (run, try ingest.finishUpload(run))
    }

    /// Starts `run` and applies every chunk; returns the operations in the order handed out.
    func apply(
        _ run: Int64, approvedBy: String? = nil, existing: (String) -> String? = { _ in nil }, maxUsers: Int = 2
    ) throws -> [ResourceOp] {
        try store.start(
            run, approvedBy: approvedBy, managedGroups: Set(control.managedGroups.map(\.id)), existingUserID: existing)
        var ops: [ResourceOp] = []
        while let chunk = try store.nextChunk(run, maxUsers: maxUsers) {
            ops += chunk.ops
            try store.chunkApplied(chunk)
        }
        try store.finish(run)
        return ops
    }
}

import Testing

@testable import FeedSource

/// An upload's batches staged behind the reading: a batch the store refuses stops the upload
/// at the next batch or at the end, with the store's error.
@Suite struct BackgroundStagingTests {
    @Test func aBatchTheStoreRefusesStopsTheNextBatchAndTheEnd() throws {
        let harness = try FeedHarness()
        let staging = BackgroundStaging(store: harness.store, run: 999)
        // Handed over: whether the store takes it is not known yet.
        try staging.stage([])
        for step in ["the next batch", "the end"] {
            do {
                if step == "the end" { try staging.finish() } else { try staging.stage([]) }
                Issue.record("\(step) did not say that staging failed")
            } catch {
                guard case .noSuchRun(999) = error else {
                    Issue.record("\(step): \(error)")
                    continue
                }
            }
        }
    }

    @Test func anUploadStagedBehindTheReadingHoldsEveryRecordInOrder() throws {
        let harness = try FeedHarness()
        harness.rule = SafetyRule(firstRunNeedsApproval: false)
        // Three records a batch (the harness's batch size): seven batches, and a userName
        // staged four batches earlier comes again in the last: the first record stays.
        var rows = (0..<20).map { ("user\($0)", "First\($0)", "Last", "user\($0)@example.com", "Staff") }
        rows.append(("USER3", "Second", "Record", "other@example.com", "Staff"))
        let (run, outcome) = try harness.upload(["users.tsv": Fixtures.tsv(rows)])
        #expect(outcome == .ready)
        let log = try harness.store.log(of: run)
        #expect(log.map(\.location) == ["users.tsv: line 22"])
        #expect(log.first?.reason.contains("the same userName as users.tsv: line 5") == true)
        #expect(try harness.store.run(run)?.counts == ["records": 21, "skipped": 1])
        let created = try harness.apply(run, maxUsers: 50).compactMap { op -> String? in
            if case .create(.user, let resource) = op { resource.userName } else { nil }
        }
        #expect(created.sorted() == (0..<20).map { "user\($0)" }.sorted())
    }
}

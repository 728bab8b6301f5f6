import Testing

@testable import FeedSource

@Suite struct SafetyRuleTests {
    private let previous: (run: Int64, files: [FeedFileInfo]) = (
        12,
        [
            FeedFileInfo(name: "users.tsv", size: 10_000, digest: "a"),
            FeedFileInfo(name: "groups.tsv", size: 500, digest: "b"),
        ]
    )

    @Test func theFirstRunWaitsForAPersonByDefault() {
        let files = [FeedFileInfo(name: "users.tsv", size: 10, digest: "x")]
        #expect(
            SafetyRule().decide(files: files, previous: nil)
                == .hold(reason: "this is the first run: nothing to compare it with, so it waits for approval"))
        #expect(SafetyRule(firstRunNeedsApproval: false).decide(files: files, previous: nil) == .apply)
    }

    @Test func sameNamesAndSizesWithinTheRatioApply() {
        let files = [
            FeedFileInfo(name: "groups.tsv", size: 540, digest: "c"),
            FeedFileInfo(name: "users.tsv", size: 9_200, digest: "d"),
        ]
        #expect(SafetyRule().decide(files: files, previous: previous) == .apply)
        #expect(SafetyRule().decide(files: previous.files, previous: previous) == .apply)
    }

    @Test func aFile30PercentSmallerIsHeldWithTheReason() {
        let files = [
            FeedFileInfo(name: "users.tsv", size: 7_000, digest: "d"),
            FeedFileInfo(name: "groups.tsv", size: 500, digest: "b"),
        ]
        #expect(
            SafetyRule().decide(files: files, previous: previous)
                == .hold(reason: "users.tsv is 30% smaller than in run 12 (7000 bytes, was 10000)"))
    }

    @Test func aLargerFileAndAWiderRatio() {
        let files = [
            FeedFileInfo(name: "users.tsv", size: 12_500, digest: "d"),
            FeedFileInfo(name: "groups.tsv", size: 500, digest: "b"),
        ]
        #expect(
            SafetyRule().decide(files: files, previous: previous)
                == .hold(reason: "users.tsv is 25% larger than in run 12 (12500 bytes, was 10000)"))
        #expect(SafetyRule(ratio: 1.3).decide(files: files, previous: previous) == .apply)
    }

    @Test func differentFileNamesAreHeld() {
        let files = [
            FeedFileInfo(name: "users.tsv", size: 10_000, digest: "a"),
            FeedFileInfo(name: "people.tsv", size: 500, digest: "b"),
        ]
        #expect(
            SafetyRule().decide(files: files, previous: previous)
                == .hold(reason: "the files differ from run 12: people.tsv is new; groups.tsv is missing"))
    }

    @Test func recordsBeyondTheRatioAreHeldEvenWhenTheSizeIsNot() {
        let before: (run: Int64, files: [FeedFileInfo]) = (
            7, [FeedFileInfo(name: "users.tsv", size: 10_000, digest: "a", records: 100)]
        )
        func decide(size: Int64, records: Int?) -> SafetyDecision {
            SafetyRule().decide(files: [FeedFileInfo(name: "users.tsv", size: size, digest: "b", records: records)], previous: before)
        }
        #expect(decide(size: 10_000, records: 95) == .apply)
        #expect(decide(size: 10_000, records: 0) == .hold(reason: "users.tsv has 100% fewer records than in run 7 (0, was 100)"))
        #expect(decide(size: 10_200, records: 80) == .hold(reason: "users.tsv has 20% fewer records than in run 7 (80, was 100)"))
        #expect(decide(size: 9_900, records: 130) == .hold(reason: "users.tsv has 30% more records than in run 7 (130, was 100)"))
        // A run stored before records were counted is compared by size alone.
        #expect(decide(size: 10_000, records: nil) == .apply)
        let unknown: (run: Int64, files: [FeedFileInfo]) = (7, [FeedFileInfo(name: "users.tsv", size: 10_000, digest: "a")])
        #expect(
            SafetyRule().decide(files: [FeedFileInfo(name: "users.tsv", size: 10_000, digest: "b", records: 0)], previous: unknown)
                == .apply)
        // A size beyond the ratio is the one reason given.
        #expect(decide(size: 5_000, records: 50) == .hold(reason: "users.tsv is 50% smaller than in run 7 (5000 bytes, was 10000)"))
    }
}

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
}

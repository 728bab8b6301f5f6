import Directory
import Testing

@Suite struct WallClockZoneTests {
    @Test func parsesFixedOffsets() throws {
        #expect(WallClockZone(fixedOffset: "UTC") == .utc)
        #expect(WallClockZone(fixedOffset: "Z") == .utc)
        #expect(WallClockZone(fixedOffset: "+00:00") == .utc)
        let plusTwo = try #require(WallClockZone(fixedOffset: "+02:00"))
        #expect(plusTwo.identifier == "+02:00")
        #expect(plusTwo.secondsFromUTC(atInstant: 0) == 7200)
        #expect(WallClockZone(fixedOffset: "-0530")?.identifier == "-05:30")
        #expect(WallClockZone(fixedOffset: "-0530")?.secondsFromUTC(atInstant: 0) == -19800)
        #expect(WallClockZone(fixedOffset: "+05")?.secondsFromUTC(atInstant: 0) == 18000)
    }

    @Test(arguments: ["Europe/Berlin", "+2", "+02:0", "02:00", "+19:00", "+02:60", "+0:200", ""])
    func rejectsOtherText(_ text: String) {
        #expect(WallClockZone(fixedOffset: text) == nil)
    }

    /// A zone at +01:00 that moves to +02:00 at instant 1_000_000 (a spring-forward change).
    static let springForward = WallClockZone(identifier: "test/spring") { $0 < 1_000_000 ? 3600 : 7200 }
    /// A zone at +02:00 that moves to +01:00 at instant 1_000_000 (a fall-back change).
    static let fallBack = WallClockZone(identifier: "test/fall") { $0 < 1_000_000 ? 7200 : 3600 }

    @Test func wallClockOffsetsAwayFromChanges() {
        #expect(Self.springForward.secondsFromUTC(atWallClock: 500_000) == 3600)
        #expect(Self.springForward.secondsFromUTC(atWallClock: 2_000_000) == 7200)
    }

    @Test func missingWallClockTimeUsesTheOffsetFromBeforeTheChange() {
        // Local 1_005_000 never happens: the clock jumps from local 1_003_600 to 1_007_200.
        #expect(Self.springForward.secondsFromUTC(atWallClock: 1_005_000) == 3600)
    }

    @Test func ambiguousWallClockTimeTakesTheEarlierInstant() {
        // Local 1_005_000 happens at instant 998_000 (+02:00) and again at 1_001_400 (+01:00).
        #expect(Self.fallBack.secondsFromUTC(atWallClock: 1_005_000) == 7200)
    }

    @Test func zonesCompareByIdentifier() {
        #expect(WallClockZone(identifier: "UTC") { _ in 0 } == .utc)
        #expect(Self.springForward != Self.fallBack)
    }
}

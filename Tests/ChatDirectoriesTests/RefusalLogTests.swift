import Testing

@testable import ChatDirectories

/// Refused callbacks are logged a few a minute, whoever sends them, and those left out are
/// counted in the next line.
@Suite struct RefusalLogTests {
    @Test func aFloodIsLoggedTenAMinuteAndCounted() {
        let log = RefusalLog()
        let start = ContinuousClock.now
        let first = (0..<25).map { log.admit(now: start + .milliseconds($0)) }
        #expect(first.filter { $0 != .quiet }.count == RefusalLog.perMinute)
        #expect(first.prefix(RefusalLog.perMinute).allSatisfy { $0 == .log(notLogged: 0) })
        // The next minute's first line says how many were left out.
        #expect(log.admit(now: start + .seconds(61)) == .log(notLogged: 15))
        #expect(log.admit(now: start + .seconds(62)) == .log(notLogged: 0))
    }
}

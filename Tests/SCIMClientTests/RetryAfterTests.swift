import Foundation
import SCIMClient
import Testing

@Suite struct RetryAfterTests {
    @Test func secondsAndDates() {
        let now = Date(timeIntervalSince1970: 784_111_777)  // Sun, 06 Nov 1994 08:49:37 GMT
        #expect(RetryAfter.delay("120", now: now) == .seconds(120))
        #expect(RetryAfter.delay(" 0 ", now: now) == .seconds(0))
        #expect(RetryAfter.delay("Sun, 06 Nov 1994 08:49:47 GMT", now: now) == .seconds(10))
        #expect(RetryAfter.delay("Sun, 06 Nov 1994 08:49:27 GMT", now: now) == .zero)
    }

    @Test func unreadableOrAbsentFallsBackToTheBackoff() {
        #expect(RetryAfter.delay(nil) == nil)
        #expect(RetryAfter.delay("") == nil)
        #expect(RetryAfter.delay("soon") == nil)
        #expect(RetryAfter.delay("-5") == nil)
    }
}

import ChatDirectories
import Testing

/// A value in a platform URL (a token, a secret, a source id) is data: it cannot add a
/// parameter, a fragment or a path segment of its own.
@Suite struct PlatformURLTests {
    @Test func queryValuesCannotAddParameters() {
        #expect(PlatformURL.queryString([]) == "")
        #expect(PlatformURL.queryString([("access_token", "abc"), ("id", "1")]) == "?access_token=abc&id=1")
        #expect(PlatformURL.queryString([("corpsecret", "s3&x=1#f")]) == "?corpsecret=s3%26x%3D1%23f")
        #expect(PlatformURL.queryString([("a b", "+/?")]) == "?a%20b=%2B%2F%3F")
        #expect(PlatformURL.queryString([("name", "销售")]) == "?name=%E9%94%80%E5%94%AE")
        #expect(PlatformURL.queryString([("keep", "A-z_0.9~")]) == "?keep=A-z_0.9~")
    }

    @Test func pathSegmentsCannotClimbOrSplit() {
        #expect(PlatformURL.pathSegment("ou_1@example.com") == "ou_1@example.com")
        #expect(PlatformURL.pathSegment("../departments/0") == "..%2Fdepartments%2F0")
        #expect(PlatformURL.pathSegment("a?b#c") == "a%3Fb%23c")
        #expect(PlatformURL.pathSegment("李") == "%E6%9D%8E")
        #expect(PlatformURL.pathSegment("..") == "%2E%2E")
        #expect(PlatformURL.pathSegment(".") == "%2E")
    }
}

@testable import SCIMServer
import Testing

/// The query string decoding every request goes through.
@Suite struct QueryParametersTests {
    @Test func formEncodingAndPercentEscapesDecode() {
        let query = QueryParameters(#"filter=userName+eq+%22bj%C3%B6rn%2Bx%40example.com%22&Count=5&empty=&flag&bad=%zz%4"#)
        #expect(query["filter"] == #"userName eq "björn+x@example.com""#)
        #expect(query["count"] == "5")
        #expect(query["COUNT"] == "5")
        #expect(query["empty"] == "")
        #expect(query["flag"] == "")
        #expect(query["bad"] == "%zz%4")
        #expect(query["missing"] == nil)
        #expect(QueryParameters(nil)["x"] == nil)
    }
}

/// Ids as one URL path segment, in every URL a response holds.
@Suite struct PathSegmentTests {
    @Test func plainIdsStayAndOthersArePercentEncoded() {
        #expect(SCIMService.pathSegment("2f1c-9a_b.c~d") == "2f1c-9a_b.c~d")
        #expect(SCIMService.pathSegment("a:b@c!$&'()*+,;=") == "a:b@c!$&'()*+,;=")
        #expect(SCIMService.pathSegment("a b/c%d?e#f") == "a%20b%2Fc%25d%3Fe%23f")
        #expect(SCIMService.pathSegment("björn") == "bj%C3%B6rn")
        #expect(SCIMService.pathSegment("") == "")
    }
}

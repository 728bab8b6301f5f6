import SCIM
import Testing

@Test func parsesRFC3339Instants() throws {
    let epoch = try #require(SCIMDateTime(rfc3339: "1970-01-01T00:00:00Z"))
    #expect(epoch == SCIMDateTime(secondsSinceEpoch: 0))
    // RFC 7643 §8.2's meta.lastModified; 1305261754 is its Unix time.
    #expect(SCIMDateTime(rfc3339: "2011-05-13T04:42:34Z") == SCIMDateTime(secondsSinceEpoch: 1_305_261_754))
    #expect(SCIMDateTime(rfc3339: "2011-05-13T06:42:34+02:00") == SCIMDateTime(secondsSinceEpoch: 1_305_261_754))
    #expect(SCIMDateTime(rfc3339: "2011-05-12T21:42:34-07:00") == SCIMDateTime(secondsSinceEpoch: 1_305_261_754))
    #expect(SCIMDateTime(rfc3339: "2011-05-13t04:42:34z") == SCIMDateTime(secondsSinceEpoch: 1_305_261_754))
    #expect(SCIMDateTime(rfc3339: "1969-12-31T23:59:59Z") == SCIMDateTime(secondsSinceEpoch: -1))
    #expect(SCIMDateTime(rfc3339: "2000-02-29T12:00:00Z") == SCIMDateTime(secondsSinceEpoch: 951_825_600))
    #expect(
        SCIMDateTime(rfc3339: "2010-01-23T04:56:22.25Z")
            == SCIMDateTime(secondsSinceEpoch: 1_264_222_582, attoseconds: 250_000_000_000_000_000))
    #expect(
        SCIMDateTime(rfc3339: "1970-01-01T00:00:00.000000000000000001Z")
            == SCIMDateTime(secondsSinceEpoch: 0, attoseconds: 1))
    // A leap second is the first second of the next minute.
    #expect(SCIMDateTime(rfc3339: "2016-12-31T23:59:60Z") == SCIMDateTime(rfc3339: "2017-01-01T00:00:00Z"))
}

@Test func ordersInstantsNotText() throws {
    let a = try #require(SCIMDateTime(rfc3339: "2011-05-13T05:00:00+01:00"))  // 04:00Z
    let b = try #require(SCIMDateTime(rfc3339: "2011-05-13T04:30:00Z"))
    #expect(a < b)
    let c = try #require(SCIMDateTime(rfc3339: "2011-05-13T04:30:00.1Z"))
    let d = try #require(SCIMDateTime(rfc3339: "2011-05-13T04:30:00.09999Z"))
    #expect(d < c)
    #expect(b < d)
}

@Test(arguments: [
    "", "2011-05-13", "2011-05-13T04:42:34", "2011-05-13 04:42:34Z", "2011-13-01T00:00:00Z",
    "2011-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2011-04-31T00:00:00Z", "2011-05-13T24:00:00Z",
    "2011-05-13T04:60:00Z", "2011-05-13T04:42:61Z", "2011-05-13T04:42:34.Z", "2011-05-13T04:42:34+0200",
    "2011-05-13T04:42:34+24:00", "2011-05-13T04:42:34Zjunk", "11-05-13T04:42:34Z", "2011-5-13T04:42:34Z",
])
func rejectsNonRFC3339(_ text: String) {
    #expect(SCIMDateTime(rfc3339: text) == nil)
}

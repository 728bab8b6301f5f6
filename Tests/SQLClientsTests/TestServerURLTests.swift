import TestSupport
import Testing

@Suite struct TestServerURLTests {
    @Test func readsEveryPart() throws {
        let url = try #require(TestServerURL("mysql://scim%40sync:p%3Ass@127.0.0.1:3307/scimsync_test"))
        #expect(url.scheme == "mysql")
        #expect(url.user == "scim@sync")
        #expect(url.password == "p:ss")
        #expect(url.host == "127.0.0.1")
        #expect(url.port == 3307)
        #expect(url.database == "scimsync_test")
    }

    @Test func rejectsAURLWithoutPort() {
        #expect(TestServerURL("postgres://user:pw@localhost/db") == nil)
    }
}

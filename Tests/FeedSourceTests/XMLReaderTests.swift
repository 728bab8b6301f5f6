import Testing

@testable import FeedSource

@Suite struct XMLReaderTests {
    @Test func recordsAsChildElements() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write(
            "staff.xml",
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <export>
              <person>
                <login>ann</login>
                <first>Ånn</first>
                <group>Staff</group>
                <group>Sales</group>
              </person>
              <person><login>bob</login><first><![CDATA[Bob & co]]></first></person>
            </export>
            """)
        let result = try ReadResult(
            XMLRecordReader(path: path, name: "staff.xml", record: "person", layout: .childElements))
        #expect(result.problems.isEmpty)
        #expect(result.texts("login") == ["ann", "bob"])
        #expect(result.texts("first") == ["Ånn", "Bob & co"])
        #expect(result.records[0]["group"] == .list(["Staff", "Sales"]))
        #expect(result.records.map(\.location.line) == [3, 9])
    }

    @Test func recordsAsAttributesInISO8859_1() throws {
        let dir = try TemporaryDirectory()
        let bytes: [UInt8] =
            Array("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<users>\n<user login=\"jose\" first=\"Jos".utf8) + [
                0xE9
            ]
            + Array("\"/>\n<user login=\"bob\" first=\"Bob\"/>\n</users>\n".utf8)
        let path = try dir.write("users.xml", bytes: bytes)
        let result = try ReadResult(XMLRecordReader(path: path, name: "users.xml", record: "user", layout: .attributes))
        #expect(result.problems.isEmpty)
        #expect(result.texts("first") == ["José", "Bob"])
        #expect(result.records.map(\.location.record) == [1, 2])
    }

    @Test func aNestedFieldIsSkippedAndTheRestRead() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write(
            "staff.xml",
            """
            <export>
            <person><login>ann</login><manager><login>x</login></manager></person>
            <person><login>bob</login></person>
            </export>
            """)
        let result = try ReadResult(
            XMLRecordReader(path: path, name: "staff.xml", record: "person", layout: .childElements))
        #expect(result.texts("login") == ["bob"])
        #expect(result.problems.count == 1)
        #expect(result.problems.first?.field == "manager")
        #expect(result.problems.first?.location.line == 2)
    }

    @Test func xmlThatIsNotWellFormedStopsWithAFatalProblem() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write(
            "staff.xml", "<export>\n<person><login>ann</login></person>\n<person><login>bob</person>\n</export>")
        let result = try ReadResult(
            XMLRecordReader(path: path, name: "staff.xml", record: "person", layout: .childElements))
        #expect(result.texts("login") == ["ann"])
        #expect(result.problems.count == 1)
        #expect(result.problems.first?.isFatal == true)
        #expect(result.problems.first?.location.line == 3)
    }
}

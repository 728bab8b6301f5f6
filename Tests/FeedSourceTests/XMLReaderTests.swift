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

    /// A start tag of more attributes than any record has is refused before the parser, which
    /// compares each attribute's name with every earlier one's, spends hours on it; one of
    /// thousands (quoted `=` and `>` included) is read whole.
    @Test func aTagOfTooManyAttributesIsRefusedBeforeParsing() throws {
        let dir = try TemporaryDirectory()
        let many = (0..<100_000).map { "a\($0)=\"x\"" }.joined(separator: " ")
        let path = try dir.write(
            "interns.xml", "<?xml version=\"1.0\"?>\n<interns>\n<intern login=\"many\" \(many)/></interns>")
        let result = try ReadResult(XMLRecordReader(path: path, name: "interns.xml", record: "intern", layout: .attributes))
        #expect(result.records.isEmpty)
        #expect(result.problems.count == 1)
        #expect(result.problems.first?.isFatal == true)
        #expect(result.problems.first?.location == RecordLocation(file: "interns.xml", line: 3))
        #expect(result.problems.first?.description.contains("more than 10000 attributes") == true)

        let fine = (0..<5_000).map { "a\($0)=\"x = y > z\"" }.joined(separator: " ")
        let readable = try dir.write(
            "ok.xml", "<?xml version=\"1.0\"?><!-- a=b=c --><interns><intern login=\"many\" \(fine)/></interns>")
        let read = try ReadResult(XMLRecordReader(path: readable, name: "ok.xml", record: "intern", layout: .attributes))
        #expect(read.problems.isEmpty)
        #expect(read.records.first?.fields.count == 5_001)
        #expect(read.records.first?["a4999"] == .text("x = y > z"))
    }

    /// Many children, and one child repeated many times, are gathered in order.
    @Test func aRecordOfManyChildren() throws {
        let dir = try TemporaryDirectory()
        let distinct = (0..<20_000).map { "<f\($0)>v\($0)</f\($0)>" }.joined()
        let repeated = (0..<20_000).map { "<group>g\($0)</group>" }.joined()
        let path = try dir.write("sites.xml", "<sites><person><login>ann</login>\(distinct)\(repeated)</person></sites>")
        let result = try ReadResult(XMLRecordReader(path: path, name: "sites.xml", record: "person", layout: .childElements))
        #expect(result.problems.isEmpty)
        let record = try #require(result.records.first)
        #expect(record.fields.count == 20_002)
        #expect(record.fields.first?.name == "login")
        #expect(record.fields[1].name == "f0" && record.fields[20_000].name == "f19999")
        #expect(record["f19999"] == .text("v19999"))
        #expect(record["group"] == .list((0..<20_000).map { "g\($0)" }))
    }

    /// An empty file, or blanks alone, is no document: not a file of no records, which would
    /// block everyone it used to list.
    @Test(arguments: ["", "  \n\t\n", "<?xml version=\"1.0\"?>\n"])
    func aFileWithoutAnElementIsUnreadable(_ text: String) throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("interns.xml", text)
        let result = try ReadResult(XMLRecordReader(path: path, name: "interns.xml", record: "intern", layout: .attributes))
        #expect(result.records.isEmpty)
        #expect(result.problems.count == 1)
        #expect(result.problems.first?.isFatal == true, "\(result.problems)")
    }

    /// Declared entities would be dropped by the parser without an error (`A&co;B` read as
    /// `AB`): a file that declares one is not read. Predefined and character references are.
    @Test func aFileDeclaringEntitiesIsNotRead() throws {
        let dir = try TemporaryDirectory()
        for declaration in [
            "<!DOCTYPE interns [ <!ENTITY co \"Co\"> ]>", "<!DOCTYPE interns [\n<!ELEMENT interns ANY>\n<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>",
        ] {
            let path = try dir.write(
                "interns.xml", "<?xml version=\"1.0\"?>\n\(declaration)\n<interns><intern login=\"a&co;b\"/></interns>")
            let result = try ReadResult(XMLRecordReader(path: path, name: "interns.xml", record: "intern", layout: .attributes))
            #expect(result.records.isEmpty)
            #expect(result.problems.first?.isFatal == true)
            #expect(result.problems.first?.description.contains("declares an entity") == true, "\(result.problems)")
        }
        let plain = try dir.write(
            "ok.xml", "<?xml version=\"1.0\"?><!DOCTYPE interns><interns><intern login=\"a&amp;b&#233;\"/></interns>")
        let read = try ReadResult(XMLRecordReader(path: plain, name: "ok.xml", record: "intern", layout: .attributes))
        #expect(read.problems.isEmpty)
        #expect(read.records.first?["login"] == .text("a&bé"))
    }
}

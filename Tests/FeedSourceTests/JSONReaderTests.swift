import Testing

@testable import FeedSource

@Suite struct JSONReaderTests {
    @Test func readsAnArrayOfRecordsOneAtATime() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write(
            "users.json",
            """
            [
              { "login": "ann", "first": "Ann", "age": 42, "admin": true, "groups": ["Staff", "Sales"], "gone": null },
              { "login": "bob", "note": "a [bracket] and a \\"quote\\" and a , comma }" }
            ]
            """)
        let result = try ReadResult(JSONRecordReader(path: path, name: "users.json"))
        #expect(result.problems.isEmpty)
        #expect(result.texts("login") == ["ann", "bob"])
        #expect(result.records[0]["age"] == .text("42"))
        #expect(result.records[0]["admin"] == .text("true"))
        #expect(result.records[0]["groups"] == .list(["Staff", "Sales"]))
        #expect(result.records[0]["gone"] == nil)
        #expect(result.texts("note") == [nil, "a [bracket] and a \"quote\" and a , comma }"])
        #expect(
            result.records.map(\.location) == [
                RecordLocation(file: "users.json", line: 2, record: 1),
                RecordLocation(file: "users.json", line: 3, record: 2),
            ])
    }

    @Test func badRecordsAreSkippedWithTheirNumberAndLine() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write(
            "users.json",
            """
            [
              { "login": "ann" },
              "just text",
              { "login": "bob", "manager": { "login": "ann" } },
              { "login": "cy", },
              { "login": "dee" }
            ]
            """)
        let result = try ReadResult(JSONRecordReader(path: path, name: "users.json"))
        #expect(result.texts("login") == ["ann", "dee"])
        #expect(
            result.problems.map(\.location) == [
                RecordLocation(file: "users.json", line: 3, record: 2),
                RecordLocation(file: "users.json", line: 4, record: 3),
                RecordLocation(file: "users.json", line: 5, record: 4),
            ])
        #expect(result.problems[1].field == "manager")
        #expect(result.problems.allSatisfy { !$0.isFatal })
    }

    @Test func anUnclosedArrayIsUnreadable() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("users.json", "[ { \"login\": \"ann\" }, { \"login\": \"bo")
        let result = try ReadResult(JSONRecordReader(path: path, name: "users.json"))
        #expect(result.texts("login") == ["ann"])
        #expect(result.problems.count == 1)
        #expect(result.problems.first?.isFatal == true)
    }

    @Test func oneRecordPerFile() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("ann.json", "\u{FEFF}{ \"login\": \"ann\", \"first\": \"Ånn\" }")
        let result = try ReadResult(JSONRecordReader(path: path, name: "ann.json", shape: .record))
        #expect(result.problems.isEmpty)
        #expect(result.texts("first") == ["Ånn"])
    }

    @Test func anArrayAcrossManyChunks() throws {
        let dir = try TemporaryDirectory()
        let records = (0..<5000).map { "{\"login\": \"user\($0)\", \"note\": \"ünïcode, [\($0)]\"}" }
        let path = try dir.write("users.json", "[" + records.joined(separator: ",\n") + "]")
        let result = try ReadResult(JSONRecordReader(path: path, name: "users.json"))
        #expect(result.problems.isEmpty)
        #expect(result.records.count == 5000)
        #expect(result.texts("note").last == "ünïcode, [4999]")
        #expect(result.records.last?.location == RecordLocation(file: "users.json", line: 5000, record: 5000))
    }

    @Test func aRecordOverTheLimitIsSkippedAndTheNextRead() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write(
            "users.json",
            "[{\"login\": \"ann\", \"note\": \"" + String(repeating: "x", count: 4000) + "\"},\n{\"login\": \"bob\"}]")
        let result = try ReadResult(JSONRecordReader(path: path, name: "users.json", maximumRecordBytes: 1000))
        #expect(result.texts("login") == ["bob"])
        #expect(result.problems.map(\.location) == [RecordLocation(file: "users.json", line: 1, record: 1)])
        #expect(result.problems.first?.isFatal == false)
    }

    /// A record of many keys is read, and mapped with its raw record, in linear time.
    @Test func aRecordOfManyKeys() throws {
        let dir = try TemporaryDirectory()
        let members = (0..<50_000).map { "\"k\($0)\": \"v\($0)\"" }.joined(separator: ",")
        let path = try dir.write("people.json", "[{\"login\": \"ann\", \(members)}]")
        let result = try ReadResult(JSONRecordReader(path: path, name: "people.json", shape: .array))
        #expect(result.problems.isEmpty)
        let record = try #require(result.records.first)
        #expect(record.fields.count == 50_001)
        #expect(record["k49999"] == .text("v49999"))
    }
}

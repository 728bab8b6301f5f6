import Directory
import MySQLBinlog
import SCIM
import Testing

/// The line format of `scimsync tail`, value by value.
@Suite struct RowChangeJSONTests {
    func column(_ type: UInt8, scale: Int = 0) -> BinlogColumn {
        var column = BinlogColumn(wireType: type, isNullable: true)
        column.scale = scale
        return column
    }

    @Test func everyValueKind() throws {
        let names = ["i", "u", "d", "f", "g", "b", "y", "dt0", "t", "dt", "ts", "zts", "s", "bin", "e", "set", "j", "n", "gone"]
        let values: [BinlogValue] = [
            .int(-9_223_372_036_854_775_808), .uint(18_446_744_073_709_551_615), .decimal("-12.50"), .float(1.1),
            .double(0.1), .bits(4095, width: 12), .year(2024), .date(SQLDate(year: 0, month: 0, day: 0)),
            .time(SQLTime(negative: true, hours: 838, minutes: 59, seconds: 59, microseconds: 500_000)),
            .dateTime(SQLDateTime(date: SQLDate(year: 2026, month: 11, day: 23), hour: 5, minute: 4, second: 3, microsecond: 120)),
            .timestamp(SQLDateTime(date: SQLDate(year: 2026, month: 11, day: 23), hour: 5, minute: 44, second: 51)),
            .timestamp(SQLDateTime(date: SQLDate(year: 0, month: 0, day: 0), hour: 0, minute: 0, second: 0)),
            .text("Ünïcode \"quoted\" \\ 🦊"), .bytes([0, 255, 16]), .enumeration("medium"), .set(["a", "c"]),
            .json(#"{"k": [1, 2.5, null]}"#), .null, .absent,
        ]
        let columns = [
            column(8), column(8), column(246), column(4), column(5), column(16), column(13), column(10),
            column(19, scale: 3), column(18, scale: 6), column(17, scale: 0), column(17, scale: 2), column(15),
            column(15), column(254), column(254), column(245), column(3), column(3),
        ]
        let change = BinlogRowChange(schema: "hr", table: "all_types", kind: .insert, columns: names, before: nil, after: values)
        let line = RowChangeJSON.line(
            change, columns: columns, position: BinlogPosition(file: "binlog.000003", offset: 1234), gtid: "0-1-42",
            commitTimestamp: 1_795_412_691)
        #expect(line == #"{"table":"hr.all_types","op":"insert","before":null,"after":{"i":-9223372036854775808,"u":18446744073709551615,"d":"-12.50","f":1.1,"g":0.1,"b":4095,"y":2024,"dt0":"0000-00-00","t":"-838:59:59.500","dt":"2026-11-23T05:04:03.000120","ts":"2026-11-23T05:44:51Z","zts":"0000-00-00T00:00:00.00","s":"Ünïcode \"quoted\" \\ 🦊","bin":"AP8Q","e":"medium","set":["a","c"],"j":{"k": [1, 2.5, null]},"n":null},"position":"binlog.000003:1234","gtid":"0-1-42","ts":"2026-11-23T05:44:51Z"}"#)
    }

    @Test func updateAndDeleteCarryTheirImages() {
        let update = BinlogRowChange(
            schema: "hr", table: "u", kind: .update, columns: ["id", "name"], before: [.int(1), .text("a")],
            after: [.int(1), .text("b")])
        #expect(RowChangeJSON.line(update, columns: nil, position: BinlogPosition(file: "b.1", offset: 4), gtid: nil, commitTimestamp: 0)
            == #"{"table":"hr.u","op":"update","before":{"id":1,"name":"a"},"after":{"id":1,"name":"b"},"position":"b.1:4","gtid":null,"ts":"1970-01-01T00:00:00Z"}"#)
        let delete = BinlogRowChange(schema: "hr", table: "u", kind: .delete, columns: ["id"], before: [.int(7)], after: nil)
        #expect(RowChangeJSON.line(delete, columns: nil, position: BinlogPosition(file: "b.1", offset: 9), gtid: nil, commitTimestamp: 0)
            == #"{"table":"hr.u","op":"delete","before":{"id":7},"after":null,"position":"b.1:9","gtid":null,"ts":"1970-01-01T00:00:00Z"}"#)
    }

    @Test func temporalFractionsWithoutColumnsAreShortest() {
        let value = BinlogValue.dateTime(SQLDateTime(date: SQLDate(year: 2024, month: 2, day: 29), hour: 23, minute: 59, second: 59, microsecond: 250_000))
        #expect(RowChangeJSON.json(value, column: nil) == #""2024-02-29T23:59:59.25""#)
    }

    @Test func mariaDBJSONColumnsPrintTheirDocument() {
        var column = BinlogColumn(wireType: 252, isNullable: true)
        column.holdsJSONText = true
        #expect(RowChangeJSON.json(.text(#"{"a": [1, "x"]}"#), column: column) == #"{"a":[1,"x"]}"#)
        #expect(RowChangeJSON.json(.text("not json"), column: column) == #""not json""#)
        #expect(RowChangeJSON.json(.text(#"{"a":1}"#), column: BinlogColumn(wireType: 252, isNullable: true)) == #""{\"a\":1}""#)
    }

    /// Text with nothing to escape is quoted as it is; control characters, quotes and
    /// backslashes are escaped (RFC 8259 section 7), whichever comes first or last.
    @Test func textIsEscapedExactlyWhereJSONRequires() {
        #expect(RowChangeJSON.json(.text("plain ünï 🦊 /<>"), column: nil) == "\"plain ünï 🦊 /<>\"")
        #expect(RowChangeJSON.json(.text(""), column: nil) == "\"\"")
        #expect(RowChangeJSON.json(.text("a\nb\t"), column: nil) == #""a\nb\t""#)
        #expect(RowChangeJSON.json(.text("\u{1}x"), column: nil) == #""\u0001x""#)
        #expect(RowChangeJSON.json(.text("x\u{7F}"), column: nil) == "\"x\u{7F}\"")
        #expect(RowChangeJSON.json(.text(#"\"#), column: nil) == #""\\""#)
    }

    /// Values that stress the writer: control characters, quotes and non-ASCII in values
    /// and in names, binary with every byte, NULL beside the empty string, integers at their
    /// limits; each line as the value-by-value text makes it.
    @Test func hostileValuesAndNames() throws {
        let names = ["id", "quote\"name", "tab\tname", "ünï", "bin", "empty", "null", "big", "small"]
        let values: [BinlogValue] = [
            .uint(UInt64.max), .text("line\nbreak \"q\" \\ \u{0}\u{1F}\u{7F}"), .text("日本語 🦊 Łódź"),
            .text("é\r\n"), .bytes((0...255).map(UInt8.init)), .text(""), .null, .int(Int64.max), .int(Int64.min),
        ]
        let change = BinlogRowChange(schema: "d\"b", table: "t\\1", kind: .update, columns: names, before: values, after: values.reversed())
        let line = RowChangeJSON.line(change, columns: nil, position: BinlogPosition(file: "b.1", offset: 4), gtid: "0-1-2", commitTimestamp: 1)
        func image(_ values: [BinlogValue]) -> String {
            "{" + zip(names, values).map { SCIMValue.string($0).jsonString() + ":" + RowChangeJSON.json($1, column: nil)! }.joined(separator: ",") + "}"
        }
        #expect(line == #"{"table":"d\"b.t\\1","op":"update","before":"# + image(values) + #","after":"# + image(values.reversed())
            + #","position":"b.1:4","gtid":"0-1-2","ts":"1970-01-01T00:00:01Z"}"#)
        #expect(RowChangeJSON.json(.text(""), column: nil) == #""""#)
        #expect(RowChangeJSON.json(.null, column: nil) == "null")
        #expect(RowChangeJSON.json(.text("\u{0}"), column: nil) == #""\u0000""#)
        #expect(RowChangeJSON.json(.bytes([]), column: nil) == #""""#)
        #expect(RowChangeJSON.json(.bytes([0xFF, 0xFE]), column: nil) == #""//4=""#)
        #expect(RowChangeJSON.json(.set(["a\"", "ü"]), column: nil) == #"["a\"","ü"]"#)
        #expect(RowChangeJSON.json(.set([]), column: nil) == "[]")
        #expect(RowChangeJSON.json(.bits(UInt64.max, width: 64), column: nil) == "18446744073709551615")
    }

    /// One writer over a transaction whose rows alternate between tables (one of them with
    /// the same names as another, one after a column was added): each line is the one
    /// `line` makes alone, the transaction's end on every line, a newline after each.
    @Test func theWriterWritesWhatLineWritesAcrossTablesAndTransactions() {
        let users = ["id", "name"]
        let groups = ["id", "name"]
        let wider = ["id", "name", "created"]
        var created = BinlogColumn(wireType: 18, isNullable: true)
        created.scale = 3
        let stamp = BinlogValue.dateTime(SQLDateTime(date: SQLDate(year: 2026, month: 1, day: 2), hour: 3, minute: 4, second: 5, microsecond: 600_000))
        let changes = [
            BinlogRowChange(schema: "hr", table: "users", kind: .insert, columns: users, before: nil, after: [.int(1), .text("a")]),
            BinlogRowChange(schema: "hr", table: "groups", kind: .insert, columns: groups, before: nil, after: [.int(2), .text("g")]),
            BinlogRowChange(schema: "hr", table: "users", kind: .delete, columns: users, before: [.int(1), .null], after: nil),
            BinlogRowChange(schema: "hr", table: "users", kind: .insert, columns: wider, before: nil, after: [.int(3), .absent, stamp]),
            BinlogRowChange(schema: "hr", table: "users", kind: .insert, columns: users, before: nil, after: [.int(4), .text("x"), .int(9)]),
        ]
        func columns(_ change: BinlogRowChange) -> [BinlogColumn]? {
            change.columns.count == 3 ? [BinlogColumn(wireType: 8, isNullable: false), BinlogColumn(wireType: 15, isNullable: true), created] : nil
        }
        var writer = RowChangeJSONWriter()
        var out = ByteOutput(capacity: 1)
        var expected = ""
        for (number, gtid) in [(1, "0-1-7"), (2, nil)] as [(UInt64, String?)] {
            let position = BinlogPosition(file: "binlog.000009", offset: 100 * number)
            writer.transactionStarted(position: position, gtid: gtid, commitTimestamp: UInt32(number))
            for change in changes {
                writer.append(change, to: &out) { columns(change) }
                expected += RowChangeJSON.line(change, columns: columns(change), position: position, gtid: gtid, commitTimestamp: UInt32(number)) + "\n"
            }
        }
        #expect(String(decoding: out.bytes, as: UTF8.self) == expected)
        #expect(expected.contains(#""after":{"id":3,"created":"2026-01-02T03:04:05.600"}"#))
        #expect(expected.contains(#""after":{"id":4,"name":"x","@3":9}"#))

        // Lines written before their transaction's end is known, then ended: the same bytes.
        var split = RowChangeJSONWriter()
        var starts: [[UInt8]] = []
        var ended = ByteOutput()
        for (number, gtid) in [(1, "0-1-7"), (2, nil)] as [(UInt64, String?)] {
            starts = changes.map { change in
                var start = ByteOutput()
                split.appendStart(of: change, to: &start) { columns(change) }
                return start.bytes
            }
            split.transactionStarted(
                position: BinlogPosition(file: "binlog.000009", offset: 100 * number), gtid: gtid,
                commitTimestamp: UInt32(number))
            for start in starts {
                ended.append(start)
                split.appendLineEnd(to: &ended)
            }
        }
        #expect(String(decoding: ended.bytes, as: UTF8.self) == expected)
    }
}

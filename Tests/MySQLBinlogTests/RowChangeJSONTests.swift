import Directory
import MySQLBinlog
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
}

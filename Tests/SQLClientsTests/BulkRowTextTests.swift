import Directory
import Testing

@testable import SQLClients

/// The tab-separated text of `LOAD DATA` and `COPY`: every character that would end a field
/// or a line, or start an escape, is escaped; NULL is `\N`, the text `\N` is not.
@Suite struct BulkRowTextTests {
    private func text(_ rows: [[SQLValue]], _ format: BulkRowText.Format) -> String? {
        var out: [UInt8] = []
        guard BulkRowText.append(rows, format: format, to: &out) else { return nil }
        return String(decoding: out, as: UTF8.self)
    }

    @Test func hostileTextIsEscaped() {
        let row: [SQLValue] = [
            .text("a\tb"), .text("c\nd"), .text("e\rf"), .text("back\\slash"), .text("\\N"), .null, .text(""),
            .text("nul\u{0}"), .text("quote '\"` é🎉"),
        ]
        let fields = [
            #"a\tb"#, #"c\nd"#, #"e\rf"#, #"back\\slash"#, #"\\N"#, #"\N"#, "", #"nul\0"#, "quote '\"` é🎉",
        ]
        let expected = fields.joined(separator: "\t") + "\n"
        #expect(text([row], .loadData) == expected)
        #expect(text([row], .copy) == expected)
    }

    @Test func valuesOfOtherTypes() {
        let row: [SQLValue] = [
            .bool(true), .bool(false), .int(-42), .uint(UInt64.max), .decimal("12.50"),
            .date(SQLDate(year: 2024, month: 3, day: 1)),
        ]
        #expect(text([row, [.int(1)]], .loadData) == "1\t0\t-42\t18446744073709551615\t12.50\t2024-03-01\n1\n")
        #expect(text([row], .copy) == "t\tf\t-42\t18446744073709551615\t12.50\t2024-03-01\n")
    }

    /// Values whose text form a column could read otherwise than a bound value: the caller
    /// writes those rows another way.
    @Test func bytesBitsAndDoublesHaveNoTextFormHere() {
        #expect(text([[.bytes([0, 1])]], .copy) == nil)
        #expect(text([[.bits(5, width: 3)]], .loadData) == nil)
        #expect(text([[.double(0.1)]], .loadData) == nil)
    }
}

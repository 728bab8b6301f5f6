import Directory
import SCIM
import Testing

@testable import MySQLBinlog

/// `scimsync tail`'s byte writers against the `String` forms the rest of scimsync uses: the
/// same text, byte for byte, edge values included.
@Suite struct ByteTextTests {
    /// The smallest buffer: the longer texts grow it while they are written.
    func text(_ append: (inout ByteOutput) -> Void) -> String {
        var out = ByteOutput(capacity: 1)
        append(&out)
        return String(decoding: out.bytes, as: UTF8.self)
    }

    /// Every control character, the two that must be escaped, DEL (which need not be),
    /// non-ASCII in two, three and four bytes, at the start, the end and between: as SCIM's
    /// JSON writer escapes them (RFC 8259 section 7).
    @Test func stringsEscapeAsTheJSONWriterDoes() {
        var samples = ["", "plain", "\"", "\\", "a\"b\\c", "\u{7F}", "é", "Łucja 日本 🦊", "/", "</script>"]
        for code in 0..<0x20 {
            let control = String(UnicodeScalar(UInt8(code)))
            samples += [control, "x" + control, control + "y", "ü" + control + "🦊"]
        }
        samples.append((0..<0x80).map { String(UnicodeScalar(UInt8($0))) }.joined())
        // Each byte that must be escaped at every place of longer texts: among ASCII, among
        // the neighbours of the escaped bytes' values and among non-ASCII (a run of bytes that
        // need nothing is copied whole, up to the byte that needs escaping).
        for special: Character in ["\"", "\\", "\u{0}", "\u{1F}", "\n"] {
            for filler in ["abcdefghijklmnopq", " !#[]^_`~\u{7F} !#[]^_`", "éééééééé日本🦊"] {
                let characters = Array(filler)
                for place in 0...characters.count {
                    var text = characters
                    text.insert(special, at: place)
                    samples.append(String(text))
                }
            }
        }
        for sample in samples {
            #expect(text { ByteText.appendQuoted(sample, to: &$0) } == SCIMValue.string(sample).jsonString(), "\(Array(sample.utf8))")
        }
        #expect(text { ByteText.appendQuoted("a\u{0}\u{1F}\n\t\u{8}\u{C}\r", to: &$0) } == #""a\u0000\u001f\n\t\b\f\r""#)
    }

    @Test func integersAtTheirLimits() {
        // Odd and even digit counts, and zeros inside: digits are written two at a time.
        let signed: [Int64] = [
            0, 1, -1, 9, 10, -10, 99, 100, 101, 1_000, 1_005, -12_345, 100_000, Int64.max, Int64.min, Int64.min + 1,
            1_234_567_890_123,
        ]
        for number in signed {
            #expect(text { ByteText.appendInteger(number, to: &$0) } == String(number))
        }
        let unsigned: [UInt64] = [0, 7, 10, UInt64(Int64.max) + 1, UInt64.max]
        for number in unsigned {
            #expect(text { ByteText.appendInteger(number, to: &$0) } == String(number))
        }
    }

    /// Lengths 0 to 8 (every padding case) and every byte value.
    @Test func base64AsDirectoryEncodesIt() {
        let all = (0...255).map(UInt8.init)
        for length in 0...8 {
            let bytes = Array(all.suffix(length))
            #expect(text { ByteText.appendBase64(bytes, to: &$0) } == Base64.encode(bytes))
        }
        #expect(text { ByteText.appendBase64(all, to: &$0) } == Base64.encode(all))
        #expect(text { ByteText.appendBase64([0, 255, 16], to: &$0) } == "AP8Q")
    }

    @Test func temporalTextAsTemporalTextWritesIt() {
        let fractions: [TemporalText.Fraction] = [.shortest, .microseconds] + (0...7).map { .digits($0) }
        let microseconds = [0, 1, 10, 120, 500_000, 999_999, 250_000, 100]
        let dates = [
            SQLDate(year: 0, month: 0, day: 0), SQLDate(year: 1000, month: 1, day: 1), SQLDate(year: 9999, month: 12, day: 31),
            SQLDate(year: 2024, month: 2, day: 29), SQLDate(year: 7, month: 3, day: 0),
        ]
        for date in dates {
            #expect(text { ByteText.appendDate(date, to: &$0) } == TemporalText.date(date))
            for fraction in fractions {
                for micro in microseconds {
                    let value = SQLDateTime(date: date, hour: 23, minute: 5, second: 9, microsecond: micro)
                    #expect(
                        text { ByteText.appendDateTime(value, fraction: fraction, to: &$0) }
                            == TemporalText.dateTime(value, separator: "T", fraction: fraction))
                }
            }
        }
        for negative in [false, true] {
            for hours in [0, 9, 23, 100, 838] {
                for fraction in fractions {
                    for micro in microseconds {
                        let time = SQLTime(negative: negative, hours: hours, minutes: 59, seconds: 1, microseconds: micro)
                        #expect(text { ByteText.appendTime(time, fraction: fraction, to: &$0) } == TemporalText.time(time, fraction: fraction))
                    }
                }
            }
        }
    }
}

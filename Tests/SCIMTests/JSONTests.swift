import Testing

@testable import SCIM

@Suite struct JSONReadTests {
    @Test func keepsMemberOrder() throws {
        let v = try SCIMValue(json: #"{"zeta":1,"alpha":2,"Mid":3}"#)
        #expect(v.objectValue?.keys == ["zeta", "alpha", "Mid"])
        #expect(v.jsonString() == #"{"zeta":1,"alpha":2,"Mid":3}"#)
    }

    @Test func integersStayExact() throws {
        #expect(try SCIMValue(json: "9223372036854775807") == .integer(.max))
        #expect(try SCIMValue(json: "-9223372036854775808") == .integer(.min))
        #expect(try SCIMValue(json: "0") == .integer(0))
        #expect(try SCIMValue(json: "-0") == .integer(0))
        #expect(SCIMValue.integer(.max).jsonString() == "9223372036854775807")
        #expect(SCIMValue.integer(.min).jsonString() == "-9223372036854775808")
    }

    @Test func integerOutOfRangeIsRefused() {
        #expect(throws: JSONParseError(offset: 1, reason: .integerOutOfRange)) {
            try SCIMValue(json: "[9223372036854775808]")
        }
        #expect(throws: JSONParseError(offset: 0, reason: .integerOutOfRange)) {
            try SCIMValue(json: "-9223372036854775809")
        }
    }

    @Test func fractionOrExponentMakesADecimal() throws {
        #expect(try SCIMValue(json: "1.0") == .decimal(1.0))
        #expect(try SCIMValue(json: "1e2") == .decimal(100))
        #expect(try SCIMValue(json: "-2.5E-3") == .decimal(-0.0025))
        #expect(try SCIMValue(json: "0.1") == .decimal(0.1))
        #expect(throws: JSONParseError(offset: 0, reason: .numberOutOfRange)) { try SCIMValue(json: "1e400") }
    }

    @Test func decimalsPrintSoTheyReadBackAsDecimals() throws {
        #expect(SCIMValue.decimal(1.0).jsonString() == "1.0")
        #expect(SCIMValue.decimal(1e16).jsonString() == "1e+16")
        #expect(SCIMValue.decimal(0.1).jsonString() == "0.1")
        #expect(SCIMValue.decimal(.infinity).jsonString() == "null")
        for d in [1.0, 1e16, 0.1, .leastNonzeroMagnitude, .greatestFiniteMagnitude, -123.456, 1.0 / 3.0] {
            #expect(try SCIMValue(json: SCIMValue.decimal(d).jsonString()) == .decimal(d))
        }
    }

    @Test func literalsAndWhitespace() throws {
        #expect(try SCIMValue(json: " \t\r\n[true ,false,null ]\n") == [true, false, nil])
        #expect(try SCIMValue(json: "{}") == .object(SCIMObject()))
        #expect(try SCIMValue(json: "[ ]") == .array([]))
    }

    @Test func stringEscapes() throws {
        let v = try SCIMValue(json: #""a\"b\\c\/d\b\f\n\r\t\u00e9\u20AC\ud83d\ude00""#)
        #expect(v == .string("a\"b\\c/d\u{8}\u{C}\n\r\té€😀"))
        #expect(try SCIMValue(json: #""\u0000""#) == .string("\u{0}"))
    }

    @Test func rawUTF8PassesThrough() throws {
        let v = try SCIMValue(json: "\"Bärbel Jensen 😀 中文\"")
        #expect(v == .string("Bärbel Jensen 😀 中文"))
    }

    @Test func stringsAreWrittenWithMinimalEscapes() {
        let s: SCIMValue = .string("a\"b\\c/d\u{8}\u{C}\n\r\t\u{1}\u{1F}é😀")
        #expect(s.jsonString() == #""a\"b\\c/d\b\f\n\r\t\u0001\u001fé😀""#)
    }

    @Test func prettyPrintingIndentsByTwoSpaces() throws {
        let v = try SCIMValue(json: #"{"a":[1,{"b":null}],"c":{},"d":[]}"#)
        #expect(
            v.jsonString(pretty: true) == """
                {
                  "a": [
                    1,
                    {
                      "b": null
                    }
                  ],
                  "c": {},
                  "d": []
                }
                """)
        #expect(try SCIMValue(json: v.jsonString(pretty: true)) == v)
    }

    @Test func parsesFromBytes() throws {
        let bytes: [UInt8] = Array(#"{"id":"x"}"#.utf8)
        #expect(try SCIMValue(json: bytes) == ["id": "x"])
        #expect(try SCIMValue(json: bytes[...]) == ["id": "x"])
    }
}

@Suite struct JSONErrorTests {
    private func error(_ text: String) -> JSONParseError? {
        do {
            _ = try SCIMValue(json: text)
            return nil
        } catch {
            return error
        }
    }

    private func error(_ bytes: [UInt8]) -> JSONParseError? {
        do {
            _ = try SCIMValue(json: bytes)
            return nil
        } catch {
            return error
        }
    }

    @Test func offsetsAndExpectations() {
        #expect(error("") == JSONParseError(offset: 0, reason: .unexpectedEnd(expected: .value)))
        #expect(error(#"{"a" 1}"#) == JSONParseError(offset: 5, reason: .unexpectedByte(UInt8(ascii: "1"), expected: .colon)))
        #expect(error(#"{"a":1 "b":2}"#) == JSONParseError(offset: 7, reason: .unexpectedByte(UInt8(ascii: "\""), expected: .commaOrObjectEnd)))
        #expect(error("[1,2") == JSONParseError(offset: 4, reason: .unexpectedEnd(expected: .commaOrArrayEnd)))
        #expect(error("[1,]") == JSONParseError(offset: 3, reason: .unexpectedByte(UInt8(ascii: "]"), expected: .value)))
        #expect(error("{a:1}") == JSONParseError(offset: 1, reason: .unexpectedByte(UInt8(ascii: "a"), expected: .objectKey)))
        #expect(error("tru") == JSONParseError(offset: 3, reason: .unexpectedEnd(expected: .literal("true"))))
        #expect(error("nul!") == JSONParseError(offset: 3, reason: .unexpectedByte(UInt8(ascii: "!"), expected: .literal("null"))))
        #expect(error("1 2") == JSONParseError(offset: 2, reason: .unexpectedByte(UInt8(ascii: "2"), expected: .endOfInput)))
        #expect(error("01") == JSONParseError(offset: 1, reason: .unexpectedByte(UInt8(ascii: "1"), expected: .endOfInput)))
        #expect(error("1.") == JSONParseError(offset: 2, reason: .unexpectedEnd(expected: .digit)))
        #expect(error("-x") == JSONParseError(offset: 1, reason: .unexpectedByte(UInt8(ascii: "x"), expected: .digit)))
        #expect(error("1e+") == JSONParseError(offset: 3, reason: .unexpectedEnd(expected: .digit)))
        #expect(error(#""abc"#) == JSONParseError(offset: 4, reason: .unexpectedEnd(expected: .closingQuote)))
        #expect(error(#""a\qb""#) == JSONParseError(offset: 3, reason: .unexpectedByte(UInt8(ascii: "q"), expected: .escapeCharacter)))
        #expect(error(#""\u12G4""#) == JSONParseError(offset: 5, reason: .unexpectedByte(UInt8(ascii: "G"), expected: .hexDigit)))
    }

    @Test func duplicateKeysAreRefusedCaseInsensitively() {
        #expect(error(#"{"a":1,"a":2}"#) == JSONParseError(offset: 7, reason: .duplicateKey("a")))
        #expect(error(#"{"userName":1,"USERNAME":2}"#) == JSONParseError(offset: 14, reason: .duplicateKey("USERNAME")))
        // Large objects take the set-based path.
        var text = "{"
        for k in 0..<40 { text += "\"k\(k)\":\(k)," }
        let offset = text.utf8.count
        text += "\"K7\":0}"
        #expect(error(text) == JSONParseError(offset: offset, reason: .duplicateKey("K7")))
    }

    @Test func surrogatesMustPair() {
        #expect(error(#""\ud83d""#) == JSONParseError(offset: 1, reason: .unpairedSurrogate))
        #expect(error(#""x\ud83dx""#) == JSONParseError(offset: 2, reason: .unpairedSurrogate))
        #expect(error(#""\ude00""#) == JSONParseError(offset: 1, reason: .unpairedSurrogate))
        #expect(error(#""\ud83d\u0041""#) == JSONParseError(offset: 1, reason: .unpairedSurrogate))
    }

    @Test func invalidUTF8IsRefused() {
        let quote = UInt8(ascii: "\"")
        #expect(error([quote, 0xFF, quote]) == JSONParseError(offset: 1, reason: .invalidUTF8))
        // Overlong encoding of '/'.
        #expect(error([quote, 0xC0, 0xAF, quote]) == JSONParseError(offset: 1, reason: .invalidUTF8))
        // UTF-8-encoded surrogate U+D800.
        #expect(error([quote, 0xED, 0xA0, 0x80, quote]) == JSONParseError(offset: 2, reason: .invalidUTF8))
        // Truncated sequence.
        #expect(error([quote, 0x61, 0xE2, 0x82, quote]) == JSONParseError(offset: 4, reason: .invalidUTF8))
        // Above U+10FFFF.
        #expect(error([quote, 0xF4, 0x90, 0x80, 0x80, quote]) == JSONParseError(offset: 2, reason: .invalidUTF8))
        // Invalid UTF-8 after an escape takes the slow path and is caught there too.
        #expect(error([quote, Byte.backslash, Byte.n, 0x80, quote]) == JSONParseError(offset: 3, reason: .invalidUTF8))
    }

    @Test func controlCharactersMustBeEscaped() {
        #expect(error("\"a\nb\"") == JSONParseError(offset: 2, reason: .unescapedControlCharacter))
        #expect(error("\"\\n\u{1}\"") == JSONParseError(offset: 3, reason: .unescapedControlCharacter))
    }

    @Test func nestingIsBounded() throws {
        let deep = String(repeating: "[", count: 513) + String(repeating: "]", count: 513)
        #expect(error(deep) == JSONParseError(offset: 512, reason: .nestingTooDeep(limit: 512)))
        let ok = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        #expect(error(ok) == nil)
        #expect(throws: JSONParseError(offset: 5, reason: .nestingTooDeep(limit: 1))) {
            try SCIMValue(json: #"{"a":{"b":1}}"#, maximumDepth: 1)
        }
    }

    @Test func descriptionNamesOffsetButNotContent() {
        let e = JSONParseError(offset: 12, reason: .duplicateKey("secretName"))
        #expect(e.description == "invalid JSON at byte 12: duplicate member name in object (names compare case-insensitively)")
        #expect(String(reflecting: e).contains("secretName"))
        let u = JSONParseError(offset: 3, reason: .unexpectedByte(0x01, expected: .commaOrArrayEnd))
        #expect(u.description == "invalid JSON at byte 3: unexpected byte 0x01, expected ',' or ']'")
    }

    /// Members given as a sequence keep their order; a key given again in another case
    /// replaces the earlier value in its place, below and above the size where the lookup
    /// switches from a scan to a set.
    @Test(arguments: [3, 15, 16, 17, 40_000])
    func objectsFromMembersKeepTheFirstPlaceAndTheLastValue(count: Int) {
        var members: [(String, SCIMValue)] = (0..<count).map { ("k\($0)", .integer(Int64($0))) }
        members.append(("K0", .string("again")))
        members.append(("k\(count - 1)".uppercased(), .string("last")))
        let object = SCIMObject(members)
        #expect(object.count == count)
        #expect(object.keys.first == "k0")
        #expect(object.keys.last == "k\(count - 1)")
        #expect(object["k0"] == (count == 1 ? .string("last") : .string("again")))
        #expect(object["K\(count - 1)"] == .string("last"))
        #expect(object["k1"] == .integer(1))
    }
}

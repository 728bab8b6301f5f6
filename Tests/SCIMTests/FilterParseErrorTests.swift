import SCIM
import Testing

private func filterError(_ text: String) -> FilterParseError? {
    do {
        let filter = try Filter.parse(text)
        Issue.record("parsed \(text) as \(filter)")
        return nil
    } catch {
        return error
    }
}

private func pathError(_ text: String) -> FilterParseError? {
    do {
        let path = try AttributePath.parse(text)
        Issue.record("parsed \(text) as \(path)")
        return nil
    } catch {
        return error
    }
}

@Test func unknownOperatorIsReportedWithColumnAndToken() throws {
    let error = try #require(filterError(#"name.familyName eqq "x""#))
    #expect(error.offset == 16)
    #expect(error.column == 17)
    #expect(error.inputLength == 23)
    #expect(
        error.description
            == #"filter: at column 17: expected a comparison operator (eq, ne, co, sw, ew, pr, gt, ge, lt, le), found "eqq""#)
}

@Test func caretDiagramPointsAtTheColumn() throws {
    let input = #"userName eqq "bjensen""#
    let error = try #require(filterError(input))
    #expect(
        error.caretDiagram(for: input) == """
            userName eqq "bjensen"
                     ^
            filter: at column 10: expected a comparison operator (eq, ne, co, sw, ew, pr, gt, ge, lt, le), found "eqq"
            """)
}

/// Each malformed filter with the 0-based offset of its error and what the message names.
let malformedFilters: [(text: String, offset: Int, expected: String, found: String)] = [
    ("", 0, "a filter expression", "end of input"),
    ("   ", 3, "a filter expression", "end of input"),
    ("userName", 8, "a comparison operator", "end of input"),
    ("userName eq", 11, "a value", "end of input"),
    ("userName eq ", 12, "a value", "end of input"),
    (#"userName eq "bjensen"#, 12, "a closing \"", "end of input"),
    ("userName eq bjensen", 12, "strings need double quotes", "\"bjensen\""),
    ("userName eq 01", 12, "a JSON number", "\"01\""),
    ("userName eq 1.", 12, "a JSON number", "\"1.\""),
    ("userName eq 12abc", 12, "a JSON number", "\"12abc\""),
    ("userName eq 1e999", 12, "a JSON number", "\"1e999\""),
    (#"userName eq "a\q""#, 14, "an escape sequence", #""\q""#),
    (#"userName eq "\u12G4""#, 13, "four hex digits", #""\u12G""#),
    (#"userName eq "\uD800""#, 13, "a low surrogate escape", #""\uD800""#),
    (#"userName eq "\uD800\u0041""#, 19, "a low surrogate (", #""\u0041""#),
    (#"userName eq "\uDC00""#, 13, "a high surrogate", #""\uDC00""#),
    ("userName eq \"a\u{01}\"", 14, "an escaped control character", "U+0001"),
    (#"userName eq "a" garbage"#, 16, "\"and\", \"or\" or the end of the filter", "\"garbage\""),
    (#"userName eq "a")"#, 15, "has no matching \"(\"", "\")\""),
    (#"(userName eq "a""#, 16, "\")\" to close the \"(\" at column 1", "end of input"),
    (#"((userName eq "a") and b pr"#, 27, "\")\" to close the \"(\" at column 1", "end of input"),
    ("()", 1, "an attribute path", "\")\""),
    (#"userName eq "a" and"#, 19, "an attribute path", "end of input"),
    (#"userName eq "a" and or b pr"#, 23, "a comparison operator", "\"b\""),
    (#"emails[type eq "work""#, 21, "\"]\" to close the \"[\" at column 7", "end of input"),
    (#"emails[type eq "work"]]"#, 22, "has no matching \"[\"", "\"]\""),
    (#"emails[type[value eq "x"] eq "work"]"#, 11, "does not allow a \"[\" inside", "\"[\""),
    (#"emails[type eq "work" and x[y pr]]"#, 27, "does not allow a \"[\" inside", "\"[\""),
    (#"emails[]"#, 7, "an attribute path", "\"]\""),
    ("a.b.c pr", 3, "at most one sub-attribute", "\".c\""),
    ("userName=bjensen", 8, "a letter, digit", "\"=\""),
    (":userName pr", 0, "a schema URN", "\":userName\""),
    ("urn:x: pr", 6, "an attribute name after the schema URN", "a blank"),
    ("1abc pr", 0, "an attribute name", "\"1abc\""),
    ("not (a pr", 9, "\")\" to close the \"(\" at column 5", "end of input"),
    (#"userName eq "a" not (b pr)"#, 16, "\"and\", \"or\" or the end", "\"not\""),
    (#"emails[type eq "work"].value"#, 28, "a comparison operator", "end of input"),
    (#"emails[type eq "work"]."#, 23, "a sub-attribute name", "end of input"),
    (#""userName" eq "a""#, 0, "an attribute path", "\"\"\""),
    (#"not userName eq "a""#, 4, "\"(\" after \"not\"", "\"userName\""),
]

@Test(arguments: malformedFilters.indices)
func rejectsMalformedFilter(_ index: Int) throws {
    let example = malformedFilters[index]
    let error = try #require(filterError(example.text))
    #expect(error.offset == example.offset, "\(example.text): \(error)")
    #expect(error.inputLength == example.text.unicodeScalars.count)
    #expect(error.expected.contains(example.expected), "\(example.text): \(error)")
    #expect(error.found == example.found, "\(example.text): \(error)")
    #expect(error.subject == .filter)
}

@Test func offsetsCountUnicodeScalars() throws {
    let error = try #require(filterError(#"displayName eq "Grüße 😀" oops"#))
    #expect(error.offset == 25)
    #expect(error.found == "\"oops\"")
}

@Test func longTokensAreCutInMessages() throws {
    let error = try #require(filterError("userName eq " + String(repeating: "x", count: 40)))
    #expect(error.found == "\"" + String(repeating: "x", count: 24) + "…\"")
}

let malformedPaths: [(text: String, offset: Int, expected: String)] = [
    ("", 0, "an attribute path"),
    ("name.familyName.x", 15, "at most one sub-attribute"),
    (#"emails[type eq "work"].value.x"#, 28, "the end of the path"),
    (#"emails[type eq "work"]x"#, 22, "the end of the path"),
    (#"name.givenName[type eq "work"]"#, 14, "a value filter right after the top-level attribute name"),
    (#"emails[type eq "work""#, 21, "\"]\" to close"),
    ("userName eq", 9, "the end of the path"),
    (#"members[value[x eq 1] eq "a"]"#, 13, "does not allow a \"[\" inside"),
]

@Test(arguments: malformedPaths.indices)
func rejectsMalformedPath(_ index: Int) throws {
    let example = malformedPaths[index]
    let error = try #require(pathError(example.text))
    #expect(error.offset == example.offset, "\(example.text): \(error)")
    #expect(error.expected.contains(example.expected), "\(example.text): \(error)")
    #expect(error.subject == .path)
    #expect(error.description.hasPrefix("path: at column \(example.offset + 1): expected "))
}

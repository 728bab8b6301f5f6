import SCIM
import Testing

private let a = Filter.present(AttributePath(attribute: "a"))
private let b = Filter.present(AttributePath(attribute: "b"))
private let c = Filter.present(AttributePath(attribute: "c"))

@Test func printsOnlyTheParenthesesTheTreeNeeds() throws {
    let cases: [(Filter, String)] = [
        (.and(.or(a, b), c), "(a pr or b pr) and c pr"),
        (.and(a, .and(b, c)), "a pr and (b pr and c pr)"),
        (.and(.and(a, b), c), "a pr and b pr and c pr"),
        (.or(a, .or(b, c)), "a pr or (b pr or c pr)"),
        (.or(.or(a, b), c), "a pr or b pr or c pr"),
        (.or(a, .and(b, c)), "a pr or b pr and c pr"),
        (.or(.and(a, b), c), "a pr and b pr or c pr"),
        (.and(a, .or(b, c)), "a pr and (b pr or c pr)"),
        (.not(.and(a, b)), "not (a pr and b pr)"),
        (.and(.not(a), .not(b)), "not (a pr) and not (b pr)"),
        (.not(.not(a)), "not (not (a pr))"),
        (
            .valuePath(AttributePath(attribute: "emails"), .or(a, .and(b, c))),
            "emails[a pr or b pr and c pr]"
        ),
    ]
    for (filter, text) in cases {
        #expect(filter.description == text)
        #expect(try Filter.parse(text) == filter, "\(text)")
    }
}

@Test func printsCanonicalFormOfRFCExamples() throws {
    // Already canonical: lower-case operators, single blanks, minimal parentheses, except
    // the redundant ones in `(emails.type eq "work")`.
    for example in rfc7644FilterExamples {
        let printed = example.tree.description
        if example.text.hasSuffix(#"(emails.type eq "work")"#) {
            #expect(printed == #"userType eq "Employee" and emails.type eq "work""#)
        } else {
            #expect(printed == example.text)
        }
    }
    #expect(try Filter.parse(#"USERNAME  EQ   "x"   AND(  title PR )"#).description == #"USERNAME eq "x" and title pr"#)
}

@Test func printsValuesAsJSON() throws {
    func printed(_ value: SCIMValue) -> String {
        Filter.compare(AttributePath(attribute: "x"), .eq, value).description
    }
    #expect(printed(.null) == "x eq null")
    #expect(printed(true) == "x eq true")
    #expect(printed(false) == "x eq false")
    #expect(printed(.integer(-7)) == "x eq -7")
    #expect(printed(.integer(.min)) == "x eq -9223372036854775808")
    #expect(printed(.decimal(1.0)) == "x eq 1.0")
    #expect(printed(.decimal(-0.0)) == "x eq -0.0")
    #expect(printed(.decimal(0.1)) == "x eq 0.1")
    #expect(printed(.decimal(1e16)) == "x eq 1e+16")
    #expect(printed(.decimal(1e-5)) == "x eq 1e-05")
    #expect(printed(.decimal(.greatestFiniteMagnitude)) == "x eq 1.7976931348623157e+308")
    #expect(printed(.decimal(.leastNonzeroMagnitude)) == "x eq 5e-324")
    #expect(printed(.string(#"O'Malley "Jr" \ / é 😀"#)) == #"x eq "O'Malley \"Jr\" \\ / é 😀""#)
    #expect(printed(.string("a\u{08}\u{0C}\n\r\t\u{01}\u{1F}")) == #"x eq "a\b\f\n\r\t\u0001\u001f""#)
}

@Test func decimalsRoundTripExactly() throws {
    let samples: [Double] = [
        1.0, -1.0, 0.1, 0.2 + 0.1, 1e16, 1e-5, 123456789.123456789, .greatestFiniteMagnitude,
        .leastNonzeroMagnitude, .leastNormalMagnitude, -0.0, 9_007_199_254_740_994, 2.5e-300,
    ]
    for d in samples {
        let filter = Filter.compare(AttributePath(attribute: "x"), .eq, .decimal(d))
        let parsed = try Filter.parse(filter.description)
        guard case .compare(_, _, .decimal(let back)) = parsed else {
            Issue.record("\(d) printed as \(filter.description) did not parse back as a decimal")
            continue
        }
        #expect(back.bitPattern == d.bitPattern, "\(d)")
    }
}

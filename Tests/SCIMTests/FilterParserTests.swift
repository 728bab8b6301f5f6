import SCIM
import Testing

private func attr(_ name: String, _ sub: String? = nil, schema: String? = nil) -> AttributePath {
    AttributePath(schema: schema, attribute: name, subAttribute: sub)
}

private let enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
private let coreUser = "urn:ietf:params:scim:schemas:core:2.0:User"

/// The filter examples of RFC 7644 §3.4.2.2 (Figure 2) and the tree each must parse to.
let rfc7644FilterExamples: [(text: String, tree: Filter)] = [
    (#"userName eq "bjensen""#, .compare(attr("userName"), .eq, "bjensen")),
    (#"name.familyName co "O'Malley""#, .compare(attr("name", "familyName"), .co, "O'Malley")),
    (#"userName sw "J""#, .compare(attr("userName"), .sw, "J")),
    (
        #"urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J""#,
        .compare(attr("userName", schema: coreUser), .sw, "J")
    ),
    ("title pr", .present(attr("title"))),
    (#"meta.lastModified gt "2011-05-13T04:42:34Z""#, .compare(attr("meta", "lastModified"), .gt, "2011-05-13T04:42:34Z")),
    (#"meta.lastModified ge "2011-05-13T04:42:34Z""#, .compare(attr("meta", "lastModified"), .ge, "2011-05-13T04:42:34Z")),
    (#"meta.lastModified lt "2011-05-13T04:42:34Z""#, .compare(attr("meta", "lastModified"), .lt, "2011-05-13T04:42:34Z")),
    (#"meta.lastModified le "2011-05-13T04:42:34Z""#, .compare(attr("meta", "lastModified"), .le, "2011-05-13T04:42:34Z")),
    (
        #"title pr and userType eq "Employee""#,
        .and(.present(attr("title")), .compare(attr("userType"), .eq, "Employee"))
    ),
    (
        #"title pr or userType eq "Intern""#,
        .or(.present(attr("title")), .compare(attr("userType"), .eq, "Intern"))
    ),
    (
        #"schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User""#,
        .compare(attr("schemas"), .eq, .string(enterprise))
    ),
    (
        #"userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")"#,
        .and(
            .compare(attr("userType"), .eq, "Employee"),
            .or(.compare(attr("emails"), .co, "example.com"), .compare(attr("emails", "value"), .co, "example.org")))
    ),
    (
        #"userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")"#,
        .and(
            .compare(attr("userType"), .ne, "Employee"),
            .not(.or(.compare(attr("emails"), .co, "example.com"), .compare(attr("emails", "value"), .co, "example.org"))))
    ),
    (
        #"userType eq "Employee" and (emails.type eq "work")"#,
        .and(.compare(attr("userType"), .eq, "Employee"), .compare(attr("emails", "type"), .eq, "work"))
    ),
    (
        #"userType eq "Employee" and emails[type eq "work" and value co "@example.com"]"#,
        .and(
            .compare(attr("userType"), .eq, "Employee"),
            .valuePath(
                attr("emails"), .and(.compare(attr("type"), .eq, "work"), .compare(attr("value"), .co, "@example.com"))))
    ),
    (
        #"emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]"#,
        .or(
            .valuePath(
                attr("emails"), .and(.compare(attr("type"), .eq, "work"), .compare(attr("value"), .co, "@example.com"))),
            .valuePath(attr("ims"), .and(.compare(attr("type"), .eq, "xmpp"), .compare(attr("value"), .co, "@foo.com"))))
    ),
]

@Test(arguments: rfc7644FilterExamples.indices)
func parsesRFC7644Example(_ index: Int) throws {
    let example = rfc7644FilterExamples[index]
    #expect(try Filter.parse(example.text) == example.tree)
}

@Test func operatorsAndKeywordsIgnoreCase() throws {
    let expected: Filter = .and(
        .compare(attr("userName"), .eq, "john"), .not(.present(attr("title"))))
    #expect(try Filter.parse(#"Username EQ "john" AND NOT (title PR)"#) == expected)
    for op in ComparisonOperator.allCases {
        #expect(try Filter.parse("a \(op.rawValue.uppercased()) 1") == .compare(attr("a"), op, 1))
    }
}

@Test func notBindsTighterThanAndWhichBindsTighterThanOr() throws {
    let a = Filter.present(attr("a"))
    let b = Filter.present(attr("b"))
    let c = Filter.present(attr("c"))
    let d = Filter.present(attr("d"))
    #expect(try Filter.parse("a pr or b pr and c pr") == .or(a, .and(b, c)))
    #expect(try Filter.parse("a pr and b pr or c pr") == .or(.and(a, b), c))
    #expect(try Filter.parse("a pr and b pr and c pr") == .and(.and(a, b), c))
    #expect(try Filter.parse("a pr or b pr or c pr") == .or(.or(a, b), c))
    #expect(try Filter.parse("not (a pr) and b pr") == .and(.not(a), b))
    #expect(try Filter.parse("(a pr or b pr) and (c pr or d pr)") == .and(.or(a, b), .or(c, d)))
    #expect(try Filter.parse("a pr and (b pr and c pr)") == .and(a, .and(b, c)))
    #expect(try Filter.parse("((a pr))") == a)
    #expect(try Filter.parse("not(not (a pr))") == .not(.not(a)))
    #expect(try Filter.parse("a pr and(b pr)") == .and(a, b))
}

@Test func valuesFollowJSON() throws {
    func value(_ text: String) throws -> SCIMValue {
        guard case .compare(_, _, let v) = try Filter.parse("a eq " + text) else {
            Issue.record("not a comparison: \(text)")
            return .null
        }
        return v
    }
    #expect(try value("true") == .bool(true))
    #expect(try value("False") == .bool(false))
    #expect(try value("null") == .null)
    #expect(try value("0") == .integer(0))
    #expect(try value("-42") == .integer(-42))
    #expect(try value("9223372036854775807") == .integer(.max))
    #expect(try value("-9223372036854775808") == .integer(.min))
    #expect(try value("9223372036854775808") == .decimal(9_223_372_036_854_775_808.0))
    #expect(try value("1.0") == .decimal(1.0))
    #expect(try value("1.5") == .decimal(1.5))
    #expect(try value("-0.25e2") == .decimal(-25))
    #expect(try value("1E3") == .decimal(1000))
    #expect(try value("1e-2") == .decimal(0.01))
    #expect(try value(#""""#) == .string(""))
    #expect(try value(#""a\"b\\c\/d""#) == .string(#"a"b\c/d"#))
    #expect(try value(#""\b\f\n\r\t""#) == .string("\u{08}\u{0C}\n\r\t"))
    #expect(try value(#""\u00e9\u00C9""#) == .string("éÉ"))
    #expect(try value(#""\uD83D\uDE00""#) == .string("😀"))
    #expect(try value(#""Grüße 日本 😀""#) == .string("Grüße 日本 😀"))
    #expect(try value(#""\u0301x""#) == .string("\u{0301}x"))
}

@Test func attributePathsInFilters() throws {
    #expect(
        try Filter.parse(#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984""#)
            == .compare(attr("employeeNumber", schema: enterprise), .eq, "701984"))
    #expect(
        try Filter.parse(#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "x""#)
            == .compare(attr("manager", "value", schema: enterprise), .eq, "x"))
    #expect(
        try Filter.parse(#"members[$ref eq "u"]"#)
            == .valuePath(attr("members"), .compare(attr("$ref"), .eq, "u")))
    #expect(try Filter.parse("x-y_z9 pr") == .present(attr("x-y_z9")))
    // `not` is an attribute name unless "(" follows it.
    #expect(try Filter.parse(#"not eq "x""#) == .compare(attr("not"), .eq, "x"))
    #expect(try Filter.parse("  a   pr\tand\nb pr  ") == .and(.present(attr("a")), .present(attr("b"))))
}

@Test func patchStylePathsOnTheLeftOfAComparison() throws {
    let work = Filter.compare(attr("type"), .eq, "work")
    #expect(
        try Filter.parse(#"emails[type eq "work"].value co "@example.com""#)
            == .compare(AttributePath(attribute: "emails", valueFilter: work, subAttribute: "value"), .co, "@example.com"))
    #expect(
        try Filter.parse(#"emails[type eq "work"] pr"#)
            == .present(AttributePath(attribute: "emails", valueFilter: work)))
    #expect(try Filter.parse(#"emails[type eq "work"]"#) == .valuePath(attr("emails"), work))
}

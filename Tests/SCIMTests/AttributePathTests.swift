import SCIM
import Testing

private let enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
private let memberID = "2819c223-7f76-453a-919d-413861904646"

/// PATCH paths of RFC 7644 §3.5.2 (the PATH examples and those of §3.5.2.1-3), plus the
/// URN-qualified forms of §3.10, with the value each must parse to.
let patchPathExamples: [(text: String, path: AttributePath)] = [
    ("members", AttributePath(attribute: "members")),
    ("name.familyName", AttributePath(attribute: "name", subAttribute: "familyName")),
    (
        #"addresses[type eq "work"]"#,
        AttributePath(attribute: "addresses", valueFilter: .compare(AttributePath(attribute: "type"), .eq, "work"))
    ),
    (
        #"members[value eq "2819c223-7f76-453a-919d-413861904646"]"#,
        AttributePath(attribute: "members", valueFilter: .compare(AttributePath(attribute: "value"), .eq, .string(memberID)))
    ),
    (
        #"members[value eq "2819c223-7f76-453a-919d-413861904646"].displayName"#,
        AttributePath(
            attribute: "members", valueFilter: .compare(AttributePath(attribute: "value"), .eq, .string(memberID)),
            subAttribute: "displayName")
    ),
    (
        #"emails[type eq "work" and value ew "example.com"]"#,
        AttributePath(
            attribute: "emails",
            valueFilter: .and(
                .compare(AttributePath(attribute: "type"), .eq, "work"),
                .compare(AttributePath(attribute: "value"), .ew, "example.com")))
    ),
    (
        #"addresses[type eq "work"].streetAddress"#,
        AttributePath(
            attribute: "addresses", valueFilter: .compare(AttributePath(attribute: "type"), .eq, "work"),
            subAttribute: "streetAddress")
    ),
    (
        #"emails[type eq "work"].value"#,
        AttributePath(
            attribute: "emails", valueFilter: .compare(AttributePath(attribute: "type"), .eq, "work"),
            subAttribute: "value")
    ),
    ("userName", AttributePath(attribute: "userName")),
    ("members[value eq \"x\"].$ref", AttributePath(
        attribute: "members", valueFilter: .compare(AttributePath(attribute: "value"), .eq, "x"), subAttribute: "$ref")),
    (
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
        AttributePath(schema: enterprise, attribute: "manager")
    ),
    (
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
        AttributePath(schema: enterprise, attribute: "manager", subAttribute: "value")
    ),
    (
        "urn:ietf:params:scim:schemas:core:2.0:User:name.givenName",
        AttributePath(schema: "urn:ietf:params:scim:schemas:core:2.0:User", attribute: "name", subAttribute: "givenName")
    ),
    (
        #"urn:ietf:params:scim:schemas:core:2.0:User:emails[type eq "work"].value"#,
        AttributePath(
            schema: "urn:ietf:params:scim:schemas:core:2.0:User", attribute: "emails",
            valueFilter: .compare(AttributePath(attribute: "type"), .eq, "work"), subAttribute: "value")
    ),
]

@Test(arguments: patchPathExamples.indices)
func parsesAndPrintsPatchPath(_ index: Int) throws {
    let example = patchPathExamples[index]
    let parsed = try AttributePath.parse(example.text)
    #expect(parsed == example.path)
    #expect(parsed.schema == example.path.schema)
    #expect(parsed.attribute == example.path.attribute)
    #expect(parsed.subAttribute == example.path.subAttribute)
    // These examples are already in canonical form.
    #expect(parsed.description == example.text)
}

@Test func pathNamesCompareIgnoringCase() throws {
    #expect(try AttributePath.parse("NAME.GivenName") == AttributePath(attribute: "name", subAttribute: "givenName"))
    #expect(try AttributePath.parse("  userName ") == AttributePath(attribute: "userName"))
    #expect(
        try AttributePath.parse(#"EMAILS[TYPE EQ "work"]"#).description == #"EMAILS[TYPE eq "work"]"#)
}

import SCIM
import Testing

private let barbara = RFC7643Examples.enterpriseUser

private func matches(_ filter: String, _ resource: SCIMObject = barbara) throws -> Bool {
    try Filter.parse(filter).matches(resource)
}

/// Expected results of the RFC 7644 §3.4.2.2 examples against RFC 7643 §8.2's Barbara Jensen,
/// in the order of `rfc7644FilterExamples`.
private let expectedForBarbara: [Bool] = [
    false,  // userName eq "bjensen": her userName is bjensen@example.com
    false,  // name.familyName co "O'Malley"
    false,  // userName sw "J"
    false,  // urn:...:User:userName sw "J"
    true,  // title pr
    false,  // meta.lastModified gt (the same instant)
    true,  // ge
    false,  // lt
    true,  // le
    true,  // title pr and userType eq "Employee"
    true,  // title pr or userType eq "Intern"
    true,  // schemas eq "...enterprise:2.0:User"
    true,  // userType eq "Employee" and (emails co "example.com" or ...)
    false,  // userType ne "Employee" and not (...)
    true,  // userType eq "Employee" and (emails.type eq "work")
    true,  // userType eq "Employee" and emails[type eq "work" and value co "@example.com"]
    true,  // emails[...] or ims[...]
]

@Test(arguments: rfc7644FilterExamples.indices)
func evaluatesRFC7644ExampleAgainstBarbara(_ index: Int) throws {
    #expect(expectedForBarbara.count == rfc7644FilterExamples.count)
    let example = rfc7644FilterExamples[index]
    #expect(example.tree.matches(barbara) == expectedForBarbara[index], "\(example.text)")
}

@Test func examplesFlipWhenTheirValuesDo() throws {
    #expect(try matches(#"userName eq "bjensen@example.com""#))
    #expect(try matches(#"userName sw "B""#))
    #expect(try matches(#"urn:ietf:params:scim:schemas:core:2.0:User:userName sw "bJ""#))
    #expect(try matches(#"name.familyName co "ense""#))
    #expect(try matches(#"meta.lastModified gt "2011-05-13T04:42:33Z""#))
    #expect(try !matches(#"meta.lastModified ge "2011-05-13T04:42:35Z""#))
    #expect(try matches(#"meta.lastModified lt "2011-05-13T04:42:34.001Z""#))
    #expect(try !matches("nickName pr and not (title pr)"))
    #expect(try matches(#"userType ne "Intern" and not (emails co "example.net")"#))
    #expect(try !matches(#"emails[type eq "work" and value co "@foo.com"] or ims[type eq "aim" and value co "@foo.com"]"#))
    #expect(try matches(#"ims[type eq "aim" and value co "handle"]"#))
}

@Test func valuePathNeedsOneElementSatisfyingTheWholeFilter() throws {
    // The home address is babs@jensen.org; the example.com address is the work one.
    #expect(try !matches(#"emails[type eq "home" and value co "@example.com"]"#))
    #expect(try matches(#"emails.type eq "home" and emails.value co "@example.com""#))
    #expect(try matches(#"emails[type eq "home" and not (value co "@example.com")]"#))
    #expect(try matches(#"addresses[primary eq true and locality eq "hollywood"]"#))
    #expect(try !matches(#"addresses[primary eq true and type eq "home"]"#))
}

@Test func multiValuedComplexWithoutSubAttributeComparesValue() throws {
    #expect(try matches(#"emails eq "BABS@jensen.org""#))
    #expect(try matches(#"emails ew ".org""#))
    #expect(try matches(#"emails ne "bjensen@example.com""#))  // the other address differs
    #expect(try !matches(#"emails gt "a""#))  // ordering a complex value never matches
    #expect(try !matches(#"name eq "Ms. Barbara J Jensen, III""#))  // single complex: no `value`
    #expect(try !matches(#"name gt "A""#))
    #expect(try !matches(#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager eq "26118915-6090-4610-87e4-49d8ca9f808d""#))
}

@Test func presence() throws {
    let resource: SCIMObject = [
        "title": "", "nickName": .null, "emails": [], "phoneNumbers": [.null], "name": ["givenName": ""],
        "addresses": [["type": "work"]], "active": false, "x": 0,
    ]
    #expect(try !matches("title pr", resource))
    #expect(try !matches("nickName pr", resource))
    #expect(try !matches("emails pr", resource))
    #expect(try !matches("phoneNumbers pr", resource))
    #expect(try !matches("name pr", resource))
    #expect(try !matches("missing pr", resource))
    #expect(try matches("addresses pr", resource))
    #expect(try matches("active pr", resource))
    #expect(try matches("x pr", resource))
    #expect(try matches("name.familyName pr", barbara))
    #expect(try !matches("addresses.primary pr", ["addresses": [["type": "home"]]]))
}

@Test func caseExactness() throws {
    #expect(try matches(#"userName eq "BJENSEN@EXAMPLE.COM""#))
    #expect(try matches(#"USERNAME Eq "bjensen@example.com""#))
    #expect(try matches(#"id eq "2819c223-7f76-453a-919d-413861904646""#))
    #expect(try !matches(#"id eq "2819C223-7F76-453A-919D-413861904646""#))
    #expect(try matches(#"externalId eq "701984""#))
    let resource: SCIMObject = ["externalId": "AbC", "id": "Xy"]
    #expect(try !matches(#"externalId eq "abc""#, resource))
    #expect(try matches(#"externalId eq "AbC""#, resource))
    #expect(try !matches(#"id sw "x""#, resource))
    // References compare exactly (RFC 7643 §2.3.7), although §8.7.1 lists `caseExact` false.
    #expect(try matches(#"groups[$ref ew "/Groups/e9e30dba-f08f-4109-8486-d5c6a331660a"]"#))
    #expect(try !matches(#"groups[$ref ew "/GROUPS/e9e30dba-f08f-4109-8486-d5c6a331660a"]"#))
    #expect(try !matches(#"profileUrl eq "HTTPS://login.example.com/bjensen""#))
    // Unknown attributes ignore case.
    #expect(try matches(#"favouriteColour eq "GREEN""#, ["favouriteColour": "green"]))
    // Schema URNs are not case-sensitive.
    #expect(try matches(#"schemas eq "URN:IETF:params:scim:schemas:core:2.0:user""#))
}

@Test func urnPrefixedPathsReadTheExtensionObject() throws {
    let ext = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    #expect(try matches(ext + #":employeeNumber eq "701984""#))
    #expect(try !matches(ext + #":employeeNumber eq "1""#))
    #expect(try matches(ext + #":manager.displayName eq "john smith""#))
    #expect(try matches(ext.uppercased() + #":DEPARTMENT sw "tour""#))
    // Unqualified names are core attributes: `employeeNumber` is not at the top level.
    #expect(try !matches(#"employeeNumber eq "701984""#))
    // The core URN reads top-level attributes; an extension URN cannot reach them.
    #expect(try matches(#"urn:ietf:params:scim:schemas:core:2.0:User:name.givenName eq "barbara""#))
    #expect(try !matches(ext + #":userName pr"#))
    #expect(try !matches(#"urn:example:other:1.0:User:userName pr"#))
    // An extension the resource does not have.
    #expect(try !matches(ext + #":employeeNumber pr"#, ["userName": "x"]))
}

@Test func dateTimesCompareAsInstantsAcrossOffsets() throws {
    // 2011-05-13T04:42:34Z is 06:42:34+02:00 and 2011-05-12T21:42:34-07:00.
    #expect(try matches(#"meta.lastModified eq "2011-05-13T06:42:34+02:00""#))
    #expect(try matches(#"meta.lastModified eq "2011-05-12T21:42:34-07:00""#))
    #expect(try matches(#"meta.lastModified eq "2011-05-13T04:42:34.000Z""#))
    #expect(try matches(#"meta.lastModified gt "2011-05-13T06:42:33+02:00""#))
    #expect(try !matches(#"meta.lastModified gt "2011-05-13T06:42:34+02:00""#))
    // As text "2011-05-13T05..." > "2011-05-13T04...", but it is an earlier instant.
    #expect(try matches(#"meta.lastModified gt "2011-05-13T05:00:00+01:00""#))
    #expect(try !matches(#"meta.lastModified lt "2011-05-13T05:00:00+01:00""#))
    #expect(try matches(#"meta.created lt "2010-01-23T04:56:22.5Z""#))
    // An operand that is not a date-time falls back to comparing text.
    #expect(try matches(#"meta.lastModified sw "2011-05""#))
    #expect(try matches(#"meta.lastModified gt "2011""#))
}

@Test func numbersBooleansAndIncompatibleTypes() throws {
    let resource: SCIMObject = [
        "age": 42, "score": 2.5, "big": .integer(9_007_199_254_740_993), "active": true, "label": "42",
        "counts": [1, 5, 9],
    ]
    #expect(try matches("age eq 42", resource))
    #expect(try matches("age eq 42.0", resource))
    #expect(try matches("age gt 41.5", resource))
    #expect(try matches("age lt 42.000001", resource))
    #expect(try !matches("age gt 42", resource))
    #expect(try matches("score ge 2.5", resource))
    #expect(try matches("score lt 3", resource))
    // 2^53 + 1 is not representable as a Double; the comparison stays exact.
    #expect(try matches("big gt 9007199254740992.0", resource))
    #expect(try matches("big ne 9007199254740992", resource))
    #expect(try matches("counts gt 8", resource))
    #expect(try !matches("counts gt 9", resource))
    #expect(try matches("active eq true", resource))
    #expect(try matches("active ne false", resource))
    #expect(try !matches("active gt false", resource))
    #expect(try !matches(#"active eq "true""#, resource))
    #expect(try !matches(#"age eq "42""#, resource))
    #expect(try !matches("label eq 42", resource))
    #expect(try !matches("age co 4", resource))
    #expect(try !matches("age ne \"x\"", resource))
    #expect(try !matches("missing ne 1", resource))
}

@Test func nullOperand() throws {
    let resource: SCIMObject = ["title": "x", "nickName": .null]
    #expect(try matches("nickName eq null", resource))
    #expect(try matches("missing eq null", resource))
    #expect(try !matches("title eq null", resource))
    #expect(try matches("title ne null", resource))
    #expect(try !matches("nickName ne null", resource))
    #expect(try !matches("title gt null", resource))
}

@Test func groupsAndSimpleMultiValuedAttributes() throws {
    let group = RFC7643Examples.group
    #expect(try matches(#"members[value eq "902c246b-6245-4190-8e05-00816be7344a"]"#, group))
    #expect(try matches(#"members.display co "mandy""#, group))
    #expect(try matches(#"urn:ietf:params:scim:schemas:core:2.0:Group:displayName eq "tour guides""#, group))
    // Group members' `value` is not caseExact in RFC 7643 §8.7.1.
    #expect(try matches(#"members[value eq "902C246B-6245-4190-8E05-00816BE7344A"]"#, group))
    let tagged: SCIMObject = ["tags": ["red", "Green"]]
    #expect(try matches(#"tags eq "green""#, tagged))
    #expect(try matches(#"tags[value sw "gr"]"#, tagged))
}

@Test func matchingIndicesSelectsElementsForPatch() throws {
    let members = try #require(RFC7643Examples.group["members"]?.arrayValue)
    let membersDefinition = CoreSchemas.definition(of: AttributePath(attribute: "members"), in: CoreSchemas.groupSchemas)
    let byValue = try Filter.parse(#"value eq "902c246b-6245-4190-8e05-00816be7344a""#)
    #expect(byValue.matchingIndices(in: members, of: membersDefinition) == [1])
    let all = try Filter.parse(#"display pr"#)
    #expect(all.matchingIndices(in: members, of: membersDefinition) == [0, 1])
    let none = try Filter.parse(#"value eq "nobody""#)
    #expect(none.matchingIndices(in: members, of: membersDefinition).isEmpty)

    let emails = try #require(barbara["emails"]?.arrayValue)
    let emailsDefinition = CoreSchemas.definition(of: AttributePath(attribute: "emails"), in: CoreSchemas.userSchemas)
    #expect(try Filter.parse(#"type eq "WORK""#).matchingIndices(in: emails, of: emailsDefinition) == [0])
    #expect(try Filter.parse(#"not (primary eq true)"#).matchingIndices(in: emails, of: emailsDefinition) == [1])
    #expect(try Filter.parse(#"value ew ".org""#).matches(element: emails[1], of: emailsDefinition))

    // The filter from a parsed PATCH path, used the same way.
    let path = try AttributePath.parse(#"emails[type eq "home"].value"#)
    let selector = try #require(path.valueFilter)
    #expect(selector.matchingIndices(in: emails, of: emailsDefinition) == [1])
}

@Test func explicitSchemasDecideTheCoreURN() throws {
    // Given only the Group schemas, the User URN is an extension the resource does not carry.
    let userPath = try Filter.parse(#"urn:ietf:params:scim:schemas:core:2.0:User:userName pr"#)
    #expect(userPath.matches(barbara, schemas: CoreSchemas.userSchemas))
    #expect(!userPath.matches(barbara, schemas: CoreSchemas.groupSchemas))
    // With no schemas at all, the resource's own first `schemas` entry is its core schema.
    #expect(userPath.matches(barbara, schemas: []))
    #expect(try Filter.parse(#"userName sw "bjensen""#).matches(SCIMResource(barbara)))
}

import SCIM
import Testing

private func definition(_ path: String, sub: String? = nil, in schemas: [SchemaDefinition] = CoreSchemas.userSchemas)
    throws -> AttributeDefinition?
{
    CoreSchemas.definition(of: try AttributePath.parse(path), subAttribute: sub, in: schemas)
}

@Test func userSchemaFollowsRFC7643() throws {
    #expect(CoreSchemas.user.id == "urn:ietf:params:scim:schemas:core:2.0:User")
    #expect(CoreSchemas.user.attributes.map(\.name) == [
        "userName", "name", "displayName", "nickName", "profileUrl", "title", "userType", "preferredLanguage",
        "locale", "timezone", "active", "password", "emails", "phoneNumbers", "ims", "photos", "addresses",
        "groups", "entitlements", "roles", "x509Certificates",
    ])
    let userName = try #require(try definition("userName"))
    #expect(userName.type == .string && userName.required && !userName.caseExact && userName.uniqueness == .server)
    let password = try #require(try definition("password"))
    #expect(password.mutability == .writeOnly && password.returned == .never)
    #expect(try definition("name.middleName")?.type == .string)
    #expect(try definition("profileUrl")?.referenceTypes == ["external"])
    #expect(try definition("ims.type")?.canonicalValues == ["aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"])
    #expect(try definition("phoneNumbers.type")?.canonicalValues == ["work", "home", "mobile", "fax", "pager", "other"])
    #expect(try definition("photos.value")?.type == .reference)
    #expect(try definition("x509Certificates.value")?.type == .binary)
    let groups = try #require(try definition("groups"))
    #expect(groups.multiValued && groups.mutability == .readOnly)
    #expect(groups.subAttribute("$REF")?.referenceTypes == ["User", "Group"])
    #expect(groups.subAttribute("type")?.canonicalValues == ["direct", "indirect"])
    #expect(try definition("emails")?.multiValued == true)
    #expect(try definition("emails.primary")?.type == .boolean)
}

@Test func groupAndEnterpriseSchemas() throws {
    let members = try #require(try definition("members", in: CoreSchemas.groupSchemas))
    #expect(members.multiValued && members.type == .complex)
    #expect(members.subAttributes.map(\.name) == ["value", "$ref", "type", "display"])
    #expect(members.subAttribute("value")?.mutability == .immutable)
    #expect(members.subAttribute("type")?.canonicalValues == ["User", "Group"])
    #expect(try definition("displayName", in: CoreSchemas.groupSchemas)?.type == .string)

    let ext = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    #expect(CoreSchemas.enterpriseUser.attributes.map(\.name) == [
        "employeeNumber", "costCenter", "organization", "division", "department", "manager",
    ])
    #expect(try definition(ext + ":employeeNumber")?.type == .string)
    #expect(try definition(ext + ":manager.$ref")?.referenceTypes == ["User"])
    #expect(try definition(ext + ":manager.displayName")?.mutability == .readOnly)
    #expect(try definition(ext + ":manager", sub: "value")?.name == "value")
    // Extension attributes need their URN; core attributes are not in the extension.
    #expect(try definition("employeeNumber") == nil)
    #expect(try definition(ext + ":userName") == nil)
}

@Test func commonAttributesAndCaseInsensitiveLookup() throws {
    let id = try #require(try definition("ID"))
    #expect(id.caseExact && id.mutability == .readOnly && id.returned == .always)
    #expect(try definition("externalId")?.caseExact == true)
    #expect(try definition("meta.lastModified")?.type == .dateTime)
    #expect(try definition("META.CREATED")?.type == .dateTime)
    #expect(try definition("urn:ietf:params:scim:schemas:core:2.0:User:id")?.caseExact == true)
    #expect(try definition("urn:ietf:params:scim:schemas:core:2.0:user:NAME.givenname")?.name == "givenName")
    #expect(try definition("emails", sub: "TYPE")?.canonicalValues == ["work", "home", "other"])
    #expect(try definition("id", in: CoreSchemas.groupSchemas)?.caseExact == true)
    #expect(try definition("nope") == nil)
    #expect(try definition("name.nope") == nil)
    #expect(try definition("urn:example:unknown:1.0:X:userName") == nil)
}

@Test func schemasForAResourceFollowItsSchemasAttribute() {
    #expect(CoreSchemas.schemas(for: RFC7643Examples.group) == CoreSchemas.groupSchemas)
    #expect(CoreSchemas.schemas(for: RFC7643Examples.enterpriseUser) == CoreSchemas.userSchemas)
    #expect(CoreSchemas.schemas(for: [:]) == CoreSchemas.userSchemas)
}

import Directory
import SCIM
import Testing

/// Keys of attribute maps must be attribute paths of the resource's schemas (RFC 7643 §4.1
/// User, §4.3 enterprise extension, §4.2 Group, §3.1 common attributes); anything else would
/// map to nothing, so the layout refuses it and says what to write.
@Suite struct MappableAttributesTests {
    static let enterprise = SchemaURN.enterpriseUser

    /// A map of `id` plus `keys`, each to its own column.
    static func map(_ keys: [String]) throws -> AttributeMap {
        var entries = [AttributeMap.Entry(pathText: "id", path: AttributePath(attribute: "id"), column: "id")]
        for (index, key) in keys.enumerated() {
            entries.append(AttributeMap.Entry(pathText: key, path: try AttributePath.parse(key), column: "c\(index)"))
        }
        return AttributeMap(entries)
    }

    static func userIssues(_ keys: [String]) throws -> [LayoutIssue] {
        try DirectoryLayout(users: UsersTable(table: "u", attributes: map(keys))).validate()
    }

    static func groupIssues(_ keys: [String]) throws -> [LayoutIssue] {
        let users = UsersTable(table: "u", attributes: try map([]))
        return try DirectoryLayout(users: users, groups: GroupsTable(table: "g", attributes: map(keys))).validate()
    }

    static func issue(_ key: String, _ message: String, in path: String = "users.attributes") -> LayoutIssue {
        LayoutIssue(path: path, key: key, message: message)
    }

    @Test func everyFormOfSchemaPathIsAccepted() throws {
        #expect(
            try Self.userIssues([
                "externalId", "meta.created", "meta.lastModified", "userName", "name.givenName", "name.familyName",
                "displayName", "active", "title", "password", "emails[type eq \"work\"].value", "emails[type eq \"home\"]",
                "emails[type eq \"other\" and primary eq true].display", "phoneNumbers[type eq \"mobile\"].value",
                "addresses[type eq \"work\"].streetAddress", "roles.value", "x509Certificates[type eq \"sig\"].value",
                "\(Self.enterprise):employeeNumber", "\(Self.enterprise):manager.value",
                "\(Self.enterprise):department", "\(SchemaURN.user):nickName",
            ]) == [])
        #expect(try Self.groupIssues(["displayName", "externalId", "meta.lastModified"]) == [])
    }

    /// RFC 7643 §2.1: "Attribute names are case insensitive".
    @Test func namesIgnoreCase() throws {
        #expect(
            try Self.userIssues([
                "USERNAME", "Name.GivenName", "EMAILS[TYPE eq \"work\"].VALUE",
                "\(Self.enterprise.uppercased()):EMPLOYEENUMBER",
            ]) == [])
    }

    @Test func columnNamesGetTheAttributeTheyUsuallyHold() throws {
        let notUser = "not an attribute of the SCIM User schema (RFC 7643 §4.1)"
        let issues = try Self.userIssues(["email", "phone", "givenname", "first_name", "mobile", "emial"])
        #expect(
            issues.map(\.description) == [
                Self.issue("email", notUser + "; did you mean emails[type eq \"work\"].value?"),
                Self.issue("phone", notUser + "; did you mean phoneNumbers[type eq \"work\"].value?"),
                Self.issue("givenname", notUser + "; did you mean name.givenName?"),
                Self.issue("first_name", notUser + "; did you mean name.givenName?"),
                Self.issue("mobile", notUser + "; did you mean phoneNumbers[type eq \"mobile\"].value?"),
                Self.issue("emial", notUser + "; did you mean emails[type eq \"work\"].value?"),
            ].map(\.description))
        #expect(try Self.userIssues(["GIVENNAME"]) == [Self.issue("GIVENNAME", notUser + "; did you mean name.givenName?")])
    }

    @Test func extensionAttributesNeedTheirURN() throws {
        let fix = "belongs to the EnterpriseUser extension: write the URN-qualified path"
        #expect(
            try Self.userIssues(["employeeNumber", "manager.value", "\(SchemaURN.user):department"]) == [
                Self.issue("employeeNumber", "employeeNumber \(fix) \(Self.enterprise):employeeNumber"),
                Self.issue("manager.value", "manager \(fix) \(Self.enterprise):manager.value"),
                Self.issue("\(SchemaURN.user):department", "department \(fix) \(Self.enterprise):department"),
            ])
    }

    @Test func unknownSchemasAreNamed() throws {
        let misspelt = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:Usr"
        #expect(
            try Self.userIssues(["\(misspelt):employeeNumber", "\(SchemaURN.group):displayName"]) == [
                Self.issue(
                    "\(misspelt):employeeNumber",
                    "\"\(misspelt)\" is not a schema of User resources (did you mean \(Self.enterprise):employeeNumber?);"
                        + " they have \(SchemaURN.user) and \(Self.enterprise)"),
                Self.issue(
                    "\(SchemaURN.group):displayName",
                    "\"\(SchemaURN.group)\" is not a schema of User resources; they have \(SchemaURN.user) and"
                        + " \(Self.enterprise)"),
            ])
    }

    @Test func complexAndMultiValuedAttributesNeedASubAttribute() throws {
        #expect(
            try Self.userIssues([
                "name", "emails", "name.first", "userName.value", "emails[typ eq \"work\"].value",
                "title[type eq \"x\"]", "addresses[type eq \"home\"]",
            ]) == [
                Self.issue("name", "name is complex: map one of its sub-attributes, such as name.formatted or name.familyName"),
                Self.issue(
                    "emails",
                    "emails is multi-valued: map a sub-attribute of one element, such as emails[type eq \"work\"].value"
                        + " or emails[type eq \"work\"].display"),
                Self.issue(
                    "name.first",
                    "name has no sub-attribute \"first\"; it has formatted, familyName, givenName, middleName,"
                        + " honorificPrefix, honorificSuffix"),
                Self.issue("userName.value", "userName has no sub-attributes; write userName"),
                Self.issue(
                    "emails[typ eq \"work\"].value",
                    "emails has no sub-attribute \"typ\" (in the value filter); did you mean \"type\"?"),
                Self.issue(
                    "title[type eq \"x\"]",
                    "title is single-valued; a value filter in brackets selects elements of a multi-valued attribute"
                        + " such as emails"),
                Self.issue(
                    "addresses[type eq \"home\"]",
                    "elements of addresses have no \"value\"; name a sub-attribute, such as"
                        + " addresses[type eq \"work\"].formatted"),
            ])
    }

    @Test func schemasAndMembershipAreNotMapped() throws {
        let membership =
            "membership is not an attribute to map: give it with \"membership\" (a relation table) or"
            + " \"users.group\" (a group column on the users table)"
        #expect(
            try Self.userIssues(["schemas", "groups.value"]) == [
                Self.issue(
                    "schemas", "scimsync writes \"schemas\" itself, from the schemas of the mapped attributes; remove this entry"),
                Self.issue("groups.value", membership),
            ])
        #expect(try Self.groupIssues(["members.value"]) == [Self.issue("members.value", membership, in: "groups.attributes")])
    }

    @Test func groupsHaveTheGroupSchema() throws {
        let notGroup = "not an attribute of the SCIM Group schema (RFC 7643 §4.2)"
        #expect(
            try Self.groupIssues(["name", "userName", "\(Self.enterprise):department"]) == [
                Self.issue("name", notGroup + "; did you mean displayName?", in: "groups.attributes"),
                Self.issue("userName", notGroup + "; map one such as displayName or externalId", in: "groups.attributes"),
                Self.issue(
                    "\(Self.enterprise):department",
                    "\"\(Self.enterprise)\" is not a schema of Group resources; they have \(SchemaURN.group)",
                    in: "groups.attributes"),
            ])
    }

    @Test func theKeyIsPartOfTheIssuesDescription() throws {
        let issues = try Self.userIssues(["email"])
        #expect(issues.map(\.description).first?.hasPrefix("users.attributes.email: not an attribute") == true)
    }
}

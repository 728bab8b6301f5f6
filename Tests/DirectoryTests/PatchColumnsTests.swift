import Directory
import SCIM
import Testing

@Suite struct PatchColumnsTests {
    static let home = Filter.compare(AttributePath(attribute: "type"), .eq, "home")
    static let department = AttributePath(schema: SchemaURN.enterpriseUser, attribute: "department")

    let mapper = RowMapper(
        kind: .user, table: "people",
        attributes: AttributeMap(
            Seed.userMap.entries + [
                .init(
                    pathText: "emails[type eq \"home\"].value",
                    path: AttributePath(attribute: "emails", valueFilter: home, subAttribute: "value"),
                    column: "home_email"),
                .init(pathText: "department", path: department, column: "dept"),
                .init(pathText: "nickName", path: AttributePath(attribute: "nickName"), column: "username"),
            ]))

    func columns(_ op: PatchOperation.Kind, _ path: AttributePath?, _ value: SCIMValue? = nil) -> [String] {
        mapper.columns(affectedBy: PatchOperation(op: op, path: path, value: value))
    }

    @Test func simpleAttribute() {
        #expect(columns(.replace, AttributePath(attribute: "userName"), "x") == ["username"])
        #expect(columns(.replace, AttributePath(attribute: "USERNAME"), "x") == ["username"])
        #expect(columns(.remove, AttributePath(attribute: "active")) == ["is_active"])
        #expect(columns(.replace, AttributePath(attribute: "title"), "x") == [])
    }

    @Test func complexAttributeAndItsSubAttributes() {
        #expect(columns(.remove, AttributePath(attribute: "name")) == ["first_name", "last_name"])
        #expect(columns(.replace, AttributePath(attribute: "name", subAttribute: "familyName"), "x") == ["last_name"])
    }

    @Test func multiValuedAttributes() {
        #expect(columns(.add, AttributePath(attribute: "emails"), [["value": "x"]]) == ["email", "home_email"])
        #expect(columns(.replace, Seed.workEmail, "x") == ["email"])
        #expect(columns(.remove, AttributePath(attribute: "emails", valueFilter: Self.home)) == ["home_email"])
        // A filter the map does not use may pick either element.
        let other = Filter.compare(AttributePath(attribute: "value"), .co, "example")
        #expect(columns(.remove, AttributePath(attribute: "emails", valueFilter: other)) == ["email", "home_email"])
        // Changing `type` moves an element in or out of a filter.
        #expect(
            columns(.replace, AttributePath(attribute: "emails", subAttribute: "type"), "home") == [
                "email", "home_email",
            ])
        #expect(columns(.replace, AttributePath(attribute: "emails", subAttribute: "display"), "x") == [])
    }

    @Test func extensionAttributes() {
        #expect(columns(.replace, Self.department, "R&D") == ["dept"])
        #expect(columns(.replace, AttributePath(attribute: "department"), "R&D") == [])
    }

    @Test func pathlessOperationsTouchTheirValuesAttributes() {
        let value: SCIMValue = [
            "name": ["givenName": "B"], "nickName": "b", .init(SchemaURN.enterpriseUser): ["department": "R&D"],
        ]
        // In map order; `nickName` (last in the map) shares its column with `userName`.
        #expect(columns(.replace, nil, value) == ["first_name", "last_name", "dept", "username"])
        #expect(columns(.replace, nil, ["userName": "b", "nickName": "b"]) == ["username"])
        #expect(columns(.add, nil, "not an object") == [])
    }
}

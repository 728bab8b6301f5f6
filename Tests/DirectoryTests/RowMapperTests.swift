import Directory
import SCIM
import Testing

@Suite struct RowMapperTests {
    let users = Seed.relationLayout.userMapper

    static let enterpriseDepartment = AttributePath(schema: SchemaURN.enterpriseUser, attribute: "department")
    static let enterpriseManager = AttributePath(
        schema: SchemaURN.enterpriseUser, attribute: "manager", subAttribute: "value")

    // MARK: Row → resource

    @Test func mapsTheSeedUserRow() throws {
        let resource = try users.resource(from: Seed.userRow())
        #expect(resource == Seed.bjensen)
        #expect(resource.attributes.keys == ["schemas", "id", "userName", "name", "emails", "active"])
        #expect(resource["emails"] == [["type": "work", "value": "bjensen@example.com"]])
        #expect(resource["emails"]?.arrayValue?.first?.objectValue?.keys == ["type", "value"])
    }

    @Test func nullColumnsLeaveAttributesOut() throws {
        let resource = try users.resource(from: Seed.userRow(first: .null, email: .null, active: .null))
        #expect(
            resource
                == SCIMResource([
                    "schemas": [.string(SchemaURN.user)], "id": "7", "userName": "bjensen",
                    "name": ["familyName": "Jensen"],
                ]))
    }

    /// `sync_users.is_active` is TINYINT(1): any non-zero value is an active user, as MySQL
    /// reads it; NULL leaves `active` out (above).
    @Test(arguments: [(SQLValue.int(7), true), (.int(-1), true), (.int(2), true), (.uint(255), true), (.int(0), false)])
    func aTinyIntActiveColumnReadsAsMySQLReadsIt(_ stored: SQLValue, _ active: Bool) throws {
        let resource = try users.resource(from: Seed.userRow(active: stored))
        #expect(resource["active"] == .bool(active))
    }

    @Test func columnsTheRowLacksLeaveAttributesOut() throws {
        let row = Row(["id": .int(7), "username": .text("bjensen")])
        #expect(
            try users.resource(from: row)
                == SCIMResource([
                    "schemas": [.string(SchemaURN.user)], "id": "7", "userName": "bjensen",
                ]))
    }

    @Test func rendersTextIdsAsGiven() throws {
        let row = Row(["id": .text("2819c223"), "username": .text("bjensen")])
        #expect(try users.resource(from: row).id == "2819c223")
    }

    @Test func aRowWithoutIdIsAnError() {
        #expect(throws: RowMappingError.missingID(table: "sync_users", column: "id")) {
            try users.resource(from: Row(["id": .null, "username": .text("x")]))
        }
        #expect(throws: RowMappingError.missingID(table: "sync_users", column: "id")) {
            try users.resource(from: Row(["username": .text("x")]))
        }
    }

    @Test func conversionErrorsNameTableAndColumn() {
        let expected = RowMappingError.value(
            table: "sync_users", ValueConversionError(column: "is_active", reason: .notBoolean(kind: "text")))
        #expect(throws: expected) { try users.resource(from: Seed.userRow(active: .text("maybe"))) }
        #expect(
            expected.description
                == "table sync_users: column \"is_active\": the text value is not a boolean (expected true/false,"
                + " Y/N, T/F, or a whole number: 0 is false, any other true)"
        )
    }

    @Test func buildsExtensionObjectsAndSchemas() throws {
        let mapper = RowMapper(
            kind: .user, table: "people",
            attributes: AttributeMap([
                .init(pathText: "id", path: AttributePath(attribute: "id"), column: "id"),
                .init(pathText: "department", path: Self.enterpriseDepartment, column: "dept"),
                .init(pathText: "manager.value", path: Self.enterpriseManager, column: "manager_id"),
            ]))
        #expect(mapper.schemas == [SchemaURN.user, SchemaURN.enterpriseUser])
        let resource = try mapper.resource(from: Row(["id": .int(1), "dept": .text("R&D"), "manager_id": .int(9)]))
        #expect(
            resource
                == SCIMResource([
                    "schemas": [.string(SchemaURN.user), .string(SchemaURN.enterpriseUser)], "id": "1",
                    .init(SchemaURN.enterpriseUser): ["department": "R&D", "manager": ["value": "9"]],
                ]))
        // The schemas stay the same when the extension's columns are NULL.
        let bare = try mapper.resource(from: Row(["id": .int(2), "dept": .null, "manager_id": .null]))
        #expect(
            bare
                == SCIMResource([
                    "schemas": [.string(SchemaURN.user), .string(SchemaURN.enterpriseUser)], "id": "2",
                ]))
    }

    @Test func fillsOneElementPerFilterWithEqAndPrimary() throws {
        let workPrimary = Filter.and(
            .compare(AttributePath(attribute: "type"), .eq, "work"),
            .compare(AttributePath(attribute: "primary"), .eq, true))
        let home = Filter.compare(AttributePath(attribute: "type"), .eq, "home")
        let mapper = RowMapper(
            kind: .user, table: "people",
            attributes: AttributeMap([
                .init(pathText: "id", path: AttributePath(attribute: "id"), column: "id"),
                .init(
                    pathText: "w.value",
                    path: AttributePath(attribute: "emails", valueFilter: workPrimary, subAttribute: "value"),
                    column: "work_mail"),
                .init(pathText: "h", path: AttributePath(attribute: "emails", valueFilter: home), column: "home_mail"),
                .init(
                    pathText: "w.display",
                    path: AttributePath(attribute: "emails", valueFilter: workPrimary, subAttribute: "display"),
                    column: "work_label"),
                .init(
                    pathText: "phoneNumbers.value",
                    path: AttributePath(attribute: "phoneNumbers", subAttribute: "value"), column: "phone"),
            ]))
        let row = Row([
            "id": .int(1), "work_mail": .text("a@work.example"), "home_mail": .text("a@home.example"),
            "work_label": .text("Work"), "phone": .text("+1 555 0100"),
        ])
        let resource = try mapper.resource(from: row)
        #expect(
            resource["emails"] == [
                ["type": "work", "primary": true, "value": "a@work.example", "display": "Work"],
                ["type": "home", "value": "a@home.example"],
            ])
        #expect(resource["phoneNumbers"] == [["value": "+1 555 0100"]])
        let noHome = try mapper.resource(from: row.replacing("home_mail", with: .null))
        #expect(noHome["emails"] == [["type": "work", "primary": true, "value": "a@work.example", "display": "Work"]])
    }

    @Test func mapsDateTimesAndBooleansByAttributeType() throws {
        let mapper = RowMapper(
            kind: .user, table: "people",
            attributes: AttributeMap([
                .init(pathText: "id", path: AttributePath(attribute: "id"), column: "id"),
                .init(pathText: "active", path: AttributePath(attribute: "active"), column: "enabled"),
                .init(
                    pathText: "meta.lastModified", path: AttributePath(attribute: "meta", subAttribute: "lastModified"),
                    column: "changed"),
            ]), zone: WallClockZone(fixedOffset: "+02:00")!)
        let row = Row([
            "id": .int(1), "enabled": .text("N"),
            "changed": .dateTime(
                SQLDateTime(date: SQLDate(year: 2024, month: 6, day: 1), hour: 12, minute: 0, second: 0)),
        ])
        #expect(
            try mapper.resource(from: row)
                == SCIMResource([
                    "schemas": [.string(SchemaURN.user)], "id": "1", "active": false,
                    "meta": ["lastModified": "2024-06-01T10:00:00Z"],
                ]))
    }

    @Test func mapsGroups() throws {
        let groups = try #require(Seed.relationLayout.groupMapper)
        #expect(
            try groups.resource(from: Seed.groupRow())
                == SCIMResource([
                    "schemas": [.string(SchemaURN.group)], "id": "3", "displayName": "Sales",
                ]))
    }

    // MARK: Resource → row

    static let seedTypes = Seed.relationLayout.userMapper.columnTypes(fromSQLTypes: [
        "id": "int(11)", "username": "varchar(64)", "first_name": "varchar(64)", "last_name": "varchar(64)",
        "email": "varchar(255)", "is_active": "tinyint(1)", "group_id": "int(11)",
    ])

    @Test func classifiesMappedColumns() {
        #expect(
            Self.seedTypes == [
                "id": .integer(unsigned: false), "username": .text(maxLength: 64), "first_name": .text(maxLength: 64),
                "last_name": .text(maxLength: 64), "email": .text(maxLength: 255), "is_active": .boolean(.tinyInt),
            ])
        let yesNo = users.columnTypes(fromSQLTypes: ["IS_ACTIVE": "char(1)", "username": "char(1)"])
        #expect(yesNo == ["is_active": .boolean(.yesNo), "username": .text(maxLength: 1)])
    }

    @Test func writesTheSeedUserBack() throws {
        let row = try users.row(from: Seed.bjensen, columnTypes: Self.seedTypes)
        #expect(row.columns == ["id", "username", "first_name", "last_name", "email", "is_active"])
        #expect(
            row.values == [
                .int(7), .text("bjensen"), .text("Barbara"), .text("Jensen"), .text("bjensen@example.com"), .int(1),
            ])
    }

    /// The column types looked up once for the map write the same rows as the dictionary,
    /// names compared case-insensitively and a column the dictionary lacks passed as it is.
    @Test func columnTypesLookedUpOnceWriteTheSameRows() throws {
        let list = users.columnTypeList(Self.seedTypes)
        #expect(try users.row(from: Seed.bjensen, columnTypes: list) == users.row(from: Seed.bjensen, columnTypes: Self.seedTypes))
        // `IS_ACTIVE` in another case is found; `email` missing passes its text as it is.
        let partial: [String: ColumnType] = ["IS_ACTIVE": .boolean(.yesNo), "id": .integer(unsigned: false)]
        let row = try users.row(from: Seed.bjensen, columnTypes: users.columnTypeList(partial))
        #expect(row == (try users.row(from: Seed.bjensen, columnTypes: partial)))
        #expect(row["is_active"] == .text("Y"))
        #expect(row["email"] == .text("bjensen@example.com"))
    }

    @Test func absentAttributesBecomeNull() throws {
        var resource = Seed.bjensen
        resource["name"] = ["givenName": "Barbara"]
        resource["emails"] = [["type": "home", "value": "b@home.example"]]
        resource["active"] = nil
        let row = try users.row(from: resource, columnTypes: Self.seedTypes)
        #expect(row["last_name"] == .null)
        #expect(row["email"] == .null)
        #expect(row["is_active"] == .null)
        #expect(row["first_name"] == .text("Barbara"))
    }

    @Test func picksThePrimaryAmongMatchingElements() throws {
        var resource = Seed.bjensen
        resource["emails"] = [
            ["type": "home", "value": "b@home.example", "primary": true],
            ["type": "WORK", "value": "first@work.example"],
            ["type": "work", "value": "main@work.example", "primary": true],
        ]
        #expect(try users.row(from: resource, columnTypes: Self.seedTypes)["email"] == .text("main@work.example"))
        resource["emails"] = [
            ["type": "home", "value": "b@home.example"],
            ["type": "Work", "value": "first@work.example"],
            ["type": "work", "value": "second@work.example"],
        ]
        #expect(try users.row(from: resource, columnTypes: Self.seedTypes)["email"] == .text("first@work.example"))
    }

    @Test func writesIntoYesNoAndExtensionColumns() throws {
        let mapper = RowMapper(
            kind: .user, table: "people",
            attributes: AttributeMap([
                .init(pathText: "id", path: AttributePath(attribute: "id"), column: "ID"),
                .init(pathText: "active", path: AttributePath(attribute: "active"), column: "ENABLED"),
                .init(pathText: "department", path: Self.enterpriseDepartment, column: "DEPT"),
            ]))
        let types = mapper.columnTypes(fromSQLTypes: [
            "id": "uniqueidentifier", "enabled": "char(1)", "dept": "nvarchar(40)",
        ])
        let resource = SCIMResource([
            "id": "2819c223-7f76-453a-919d-413861904646", "active": false,
            .init(SchemaURN.enterpriseUser): ["department": "R&D"],
        ])
        let row = try mapper.row(from: resource, columnTypes: types)
        #expect(row.columns == ["ID", "ENABLED", "DEPT"])
        #expect(row.values == [.text("2819c223-7f76-453a-919d-413861904646"), .text("N"), .text("R&D")])
    }

    @Test func writingAResourceWithoutIdIsAnError() {
        var resource = Seed.bjensen
        resource.id = nil
        #expect(throws: RowMappingError.missingID(table: "sync_users", column: "id")) {
            try users.row(from: resource, columnTypes: Self.seedTypes)
        }
    }

    @Test func writingTooLongTextNamesTheColumn() {
        var resource = Seed.bjensen
        resource["userName"] = .string(String(repeating: "x", count: 65))
        #expect(
            throws: RowMappingError.value(
                table: "sync_users",
                ValueConversionError(column: "username", reason: .tooLong(length: 65, maxLength: 64)))
        ) {
            try users.row(from: resource, columnTypes: Self.seedTypes)
        }
    }

    @Test func roundTripsTheSeedUser() throws {
        let row = try users.row(from: Seed.bjensen, columnTypes: Self.seedTypes)
        #expect(try users.resource(from: row) == Seed.bjensen)
    }
}

extension Row {
    func replacing(_ column: String, with value: SQLValue) -> Row {
        var copy = self
        if let i = index(of: column) { copy.values[i] = value }
        return copy
    }
}

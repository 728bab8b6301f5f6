import Directory
import MySQLSource
import SCIM
import SQLClients
import TestSupport
import Testing

/// CascadeRules read from the MariaDB that scripts/test starts, and its verdicts on row changes.
@Suite struct CascadeRulesTests {
    /// groups.parent_id → groups ON DELETE SET NULL; users.group_id → groups with the default
    /// (RESTRICT: no change to children); relation → users and → groups ON DELETE CASCADE ON
    /// UPDATE CASCADE.
    private struct Tables {
        let users = TestServers.uniqueName("cr_users")
        let groups = TestServers.uniqueName("cr_groups")
        let relation = TestServers.uniqueName("cr_rel")

        var layout: DirectoryLayout {
            let id = AttributeMap.Entry(pathText: "id", path: AttributePath(attribute: "id"), column: "id")
            return DirectoryLayout(
                users: UsersTable(
                    table: users,
                    attributes: AttributeMap([
                        id, .init(pathText: "userName", path: AttributePath(attribute: "userName"), column: "username"),
                    ])),
                groups: GroupsTable(
                    table: groups,
                    attributes: AttributeMap([
                        id, .init(pathText: "displayName", path: AttributePath(attribute: "displayName"), column: "name"),
                    ]),
                    parent: "parent_id"),
                membership: MembershipTable(table: relation, user: "user_id", group: "group_id"))
        }

        func create(_ connection: MariaDBConnection) throws {
            try connection.execute(
                """
                CREATE TABLE \(groups) (id INT PRIMARY KEY, name VARCHAR(64), parent_id INT NULL,
                  FOREIGN KEY (parent_id) REFERENCES \(groups) (id) ON DELETE SET NULL) ENGINE=InnoDB
                """)
            try connection.execute(
                """
                CREATE TABLE \(users) (id INT PRIMARY KEY, username VARCHAR(64), group_id INT NULL,
                  FOREIGN KEY (group_id) REFERENCES \(groups) (id)) ENGINE=InnoDB
                """)
            try connection.execute(
                """
                CREATE TABLE \(relation) (user_id INT, group_id INT, PRIMARY KEY (user_id, group_id),
                  FOREIGN KEY (user_id) REFERENCES \(users) (id) ON DELETE CASCADE ON UPDATE CASCADE,
                  FOREIGN KEY (group_id) REFERENCES \(groups) (id) ON DELETE CASCADE ON UPDATE CASCADE) ENGINE=InnoDB
                """)
        }

        func drop(_ connection: MariaDBConnection) {
            for table in [relation, users, groups] {
                _ = try? connection.execute("DROP TABLE IF EXISTS \(table)")
            }
        }
    }

    private static func user(_ id: Int64, _ name: String = "u") -> Row {
        Row(["id": .int(id), "username": .text(name), "group_id": .null])
    }

    private static func group(_ id: Int64, parent: SQLValue = .null, name: String = "g") -> Row {
        Row(["id": .int(id), "name": .text(name), "parent_id": parent])
    }

    @Test func theCatalogsCascadingForeignKeysAreRead() throws {
        let connection = try TestServers.mariaDB()
        let tables = Tables()
        try tables.create(connection)
        defer { tables.drop(connection) }
        let database = try TestServers.mariaDBURL().database

        let rules = try CascadeRules(connection: connection, database: database, layout: tables.layout)
        // users.group_id's RESTRICT changes no child: only the three cascading keys are kept.
        #expect(
            rules.foreignKeys.map { "\($0.table)(\($0.columns)) -> \($0.referencedTable)(\($0.referencedColumns)) \($0.deleteRule)/\($0.updateRule)" }
                == [
                    "\(tables.groups)([\"parent_id\"]) -> \(tables.groups)([\"id\"]) SET NULL/RESTRICT",
                    "\(tables.relation)([\"user_id\"]) -> \(tables.users)([\"id\"]) CASCADE/CASCADE",
                    "\(tables.relation)([\"group_id\"]) -> \(tables.groups)([\"id\"]) CASCADE/CASCADE",
                ])
        #expect(rules.referencedTables == ["\(database).\(tables.users)", "\(database).\(tables.groups)"])
    }

    @Test func deletesOfReferencedRowsCascade() throws {
        let connection = try TestServers.mariaDB()
        let tables = Tables()
        try tables.create(connection)
        defer { tables.drop(connection) }
        let rules = try CascadeRules(
            connection: connection, database: try TestServers.mariaDBURL().database, layout: tables.layout)

        #expect(
            rules.unloggedEffect(of: RowChange(table: tables.groups, kind: .delete, before: Self.group(3), after: nil))
                == "a delete in \(tables.groups) cascades to \(tables.groups) (ON DELETE SET NULL) and "
                + "\(tables.relation) (ON DELETE CASCADE), which the binlog does not carry")
        #expect(
            rules.unloggedEffect(of: RowChange(table: tables.users, kind: .delete, before: Self.user(7), after: nil))
                == "a delete in \(tables.users) cascades to \(tables.relation) (ON DELETE CASCADE), which the binlog does not carry")
        // Nothing references the relation table.
        let pair = Row(["user_id": .int(7), "group_id": .int(3)])
        #expect(rules.unloggedEffect(of: RowChange(table: tables.relation, kind: .delete, before: pair, after: nil)) == nil)
        // Inserts change no child.
        #expect(rules.unloggedEffect(of: RowChange(table: tables.groups, kind: .insert, before: nil, after: Self.group(4))) == nil)
        #expect(rules.unloggedEffect(of: RowChange(table: tables.users, kind: .insert, before: nil, after: Self.user(8))) == nil)
    }

    @Test func updatesCascadeOnlyWhenTheyChangeAReferencedColumn() throws {
        let connection = try TestServers.mariaDB()
        let tables = Tables()
        try tables.create(connection)
        defer { tables.drop(connection) }
        let rules = try CascadeRules(
            connection: connection, database: try TestServers.mariaDBURL().database, layout: tables.layout)

        #expect(
            rules.unloggedEffect(of: RowChange(table: tables.users, kind: .update, before: Self.user(7), after: Self.user(9)))
                == "an update of \(tables.users).id cascades to \(tables.relation) (ON UPDATE CASCADE), which the binlog does not carry")
        #expect(
            rules.unloggedEffect(
                of: RowChange(table: tables.users, kind: .update, before: Self.user(7, "a"), after: Self.user(7, "b"))) == nil)
        // groups.id: the relation cascades; the parent key's RESTRICT would refuse, not change.
        #expect(
            rules.unloggedEffect(of: RowChange(table: tables.groups, kind: .update, before: Self.group(3), after: Self.group(5)))
                == "an update of \(tables.groups).id cascades to \(tables.relation) (ON UPDATE CASCADE), which the binlog does not carry")
        #expect(
            rules.unloggedEffect(
                of: RowChange(table: tables.groups, kind: .update, before: Self.group(3), after: Self.group(3, parent: .int(1))))
                == nil)
    }

    @Test func tablesWithoutCascadingKeysHaveNoRules() throws {
        let connection = try TestServers.mariaDB()
        let tables = Tables()
        try connection.execute("CREATE TABLE \(tables.groups) (id INT PRIMARY KEY, name VARCHAR(64), parent_id INT NULL)")
        try connection.execute(
            "CREATE TABLE \(tables.users) (id INT PRIMARY KEY, username VARCHAR(64), group_id INT NULL, "
                + "FOREIGN KEY (group_id) REFERENCES \(tables.groups) (id) ON DELETE RESTRICT ON UPDATE NO ACTION)")
        try connection.execute("CREATE TABLE \(tables.relation) (user_id INT, group_id INT)")
        defer { tables.drop(connection) }
        let rules = try CascadeRules(
            connection: connection, database: try TestServers.mariaDBURL().database, layout: tables.layout)
        #expect(rules.foreignKeys.isEmpty)
        #expect(rules.unloggedEffect(of: RowChange(table: tables.groups, kind: .delete, before: Self.group(3), after: nil)) == nil)
        #expect(
            rules.unloggedEffect(of: RowChange(table: tables.groups, kind: .update, before: Self.group(3), after: Self.group(4)))
                == nil)
    }
}

/// The verdicts on row images, without a server.
@Suite struct CascadeRulesRowTests {
    private let rules = CascadeRules(
        database: "hr",
        foreignKeys: [
            .init(
                name: "fk", table: "members", columns: ["org", "unit"], referencedSchema: "hr", referencedTable: "units",
                referencedColumns: ["org", "code"], deleteRule: "CASCADE", updateRule: "SET DEFAULT"),
            .init(
                name: "keep", table: "notes", columns: ["org"], referencedSchema: "hr", referencedTable: "orgs",
                referencedColumns: ["id"], deleteRule: "RESTRICT", updateRule: "NO ACTION"),
        ])

    private func unit(_ org: SQLValue, _ code: SQLValue, name: String = "x") -> Row {
        Row(["org": org, "code": code, "name": .text(name)])
    }

    @Test func keysThatChangeNoChildAreDropped() {
        #expect(rules.foreignKeys.map(\.name) == ["fk"])
        #expect(rules.unloggedEffect(of: RowChange(table: "orgs", kind: .delete, before: Row(["id": .int(1)]), after: nil)) == nil)
    }

    @Test func aCompositeKeyCascadesWhenAnyOfItsColumnsChanges() {
        let before = unit(.int(1), .text("a"))
        #expect(
            rules.unloggedEffect(of: RowChange(table: "UNITS", kind: .update, before: before, after: unit(.int(1), .text("b"))))
                == "an update of UNITS.code cascades to members (ON UPDATE SET DEFAULT), which the binlog does not carry")
        #expect(
            rules.unloggedEffect(
                of: RowChange(table: "units", kind: .update, before: before, after: unit(.int(1), .text("a"), name: "y"))) == nil)
        // An image without the column cannot show it unchanged.
        #expect(
            rules.unloggedEffect(of: RowChange(table: "units", kind: .update, before: before, after: Row(["name": .text("y")])))
                != nil)
    }

    @Test func aRowWithANullKeyIsReferencedByNoChild() {
        #expect(
            rules.unloggedEffect(of: RowChange(table: "units", kind: .delete, before: unit(.int(1), .null), after: nil)) == nil)
        #expect(
            rules.unloggedEffect(of: RowChange(table: "units", kind: .delete, before: unit(.int(1), .text("a")), after: nil))
                == "a delete in units cascades to members (ON DELETE CASCADE), which the binlog does not carry")
    }

    @Test func aSameNamedTableInAnotherSchemaIsNotTheParent() {
        let elsewhere = CascadeRules(
            database: "hr",
            foreignKeys: [
                .init(
                    name: "fk", table: "members", columns: ["unit"], referencedSchema: "crm", referencedTable: "units",
                    referencedColumns: ["code"], deleteRule: "CASCADE", updateRule: "CASCADE")
            ])
        let row = Row(["code": .text("a")])
        #expect(elsewhere.unloggedEffect(of: RowChange(table: "units", kind: .delete, before: row, after: nil)) == nil)
        #expect(elsewhere.unloggedEffect(of: RowChange(table: "crm.units", kind: .delete, before: row, after: nil)) != nil)
    }
}

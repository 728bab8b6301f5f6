import Directory
import SQLClients
import Testing

@testable import Targets

/// The init-target DDL, run on each real database: afterwards the catalog shows every
/// mapped column with the type the SCIM attribute asks for.
@Suite struct TargetDDLTests {
    @Test func mariaDBTablesHaveEveryMappedColumn() throws {
        let layout = try PortalLayout.make(suffix: PortalLayout.suffix())
        let database = try TargetUnderTest.mariaDB(layout)
        _ = try database.createTablesAndOpen()
        let connection = try #require(database.connection as? MariaDBConnection)
        try Self.expectColumns(layout) { try connection.columns(ofTable: $0) }
        let users = try #require(try connection.columns(ofTable: layout.users.table))
        #expect(users.first { $0.name == "enabled" }?.sqlType == "tinyint(1)")
        #expect(users.first { $0.name == "id" }.map { ($0.sqlType, $0.isPrimaryKey) } ?? ("", false) == ("varchar(64)", true))
    }

    @Test func postgresTablesHaveEveryMappedColumn() throws {
        let suffix = PortalLayout.suffix()
        let layout = try PortalLayout.make(suffix: suffix)
        let schema = "ddl_\(suffix)"
        let database = try TargetUnderTest.postgres(layout, schema: schema)
        _ = try database.createTablesAndOpen()
        let connection = try #require(database.connection as? PostgresConnection)
        try Self.expectColumns(layout) { try connection.columns(ofTable: $0, schema: schema) }
        let users = try #require(try connection.columns(ofTable: layout.users.table, schema: schema))
        #expect(users.first { $0.name == "enabled" }?.sqlType == "boolean")
        #expect(users.first { $0.name == "login" }?.sqlType == "text")
    }

    @Test func sqliteTablesHaveEveryMappedColumn() throws {
        let layout = try PortalLayout.make(suffix: PortalLayout.suffix(), oneToMany: true)
        let database = try TargetUnderTest.sqlite(layout)
        _ = try database.createTablesAndOpen()
        let connection = try #require(database.connection as? SQLiteDatabase)
        try Self.expectColumns(layout) { try connection.columns(ofTable: $0) }
        let users = try #require(try connection.columns(ofTable: layout.users.table))
        #expect(users.map(\.name).last == "group_id")
    }

    @Test func runningTheStatementsTwiceIsHarmless() throws {
        let layout = try PortalLayout.make(suffix: PortalLayout.suffix())
        let database = try TargetUnderTest.sqlite(layout)
        _ = try database.createTablesAndOpen()
        _ = try database.createTablesAndOpen()
    }

    @Test func sqliteStatementsInFull() throws {
        let layout = try PortalLayout.make(suffix: "x")
        #expect(
            createTableStatements(for: layout, dialect: .sqlite) == [
                """
                CREATE TABLE IF NOT EXISTS "portal_groups_x" (
                  "id" TEXT NOT NULL,
                  "title" TEXT,
                  "parent" TEXT,
                  PRIMARY KEY ("id"),
                  FOREIGN KEY ("parent") REFERENCES "portal_groups_x" ("id")
                )
                """,
                """
                CREATE TABLE IF NOT EXISTS "portal_users_x" (
                  "id" TEXT NOT NULL,
                  "login" TEXT,
                  "given_name" TEXT,
                  "family_name" TEXT,
                  "mail" TEXT,
                  "title" TEXT,
                  "enabled" INTEGER,
                  "employee_no" TEXT,
                  PRIMARY KEY ("id")
                )
                """,
                """
                CREATE TABLE IF NOT EXISTS "portal_memberships_x" (
                  "user_id" TEXT NOT NULL,
                  "group_id" TEXT NOT NULL,
                  PRIMARY KEY ("user_id", "group_id"),
                  FOREIGN KEY ("user_id") REFERENCES "portal_users_x" ("id"),
                  FOREIGN KEY ("group_id") REFERENCES "portal_groups_x" ("id")
                )
                """,
                #"CREATE INDEX IF NOT EXISTS "portal_memberships_x_group_id_idx" ON "portal_memberships_x" ("group_id")"#,
                #"CREATE INDEX IF NOT EXISTS "portal_users_x_login_idx" ON "portal_users_x" ("login" COLLATE NOCASE)"#,
            ])
    }

    @Test func postgresKeysAreDeferrableAndMariaDBTypesFollowSCIM() throws {
        let layout = try PortalLayout.make(suffix: "x")
        let postgres = createTableStatements(for: layout, dialect: .postgres(schema: "p"))
        #expect(postgres[2].contains(#"FOREIGN KEY ("user_id") REFERENCES "p"."portal_users_x" ("id") DEFERRABLE INITIALLY IMMEDIATE"#))
        let mariaDB = createTableStatements(for: layout, dialect: .mariaDB)
        #expect(mariaDB.count == 4)
        #expect(mariaDB[3] == "CREATE INDEX IF NOT EXISTS `portal_users_x_login_idx` ON `portal_users_x` (`login`)")
        #expect(postgres.last == #"CREATE INDEX IF NOT EXISTS "portal_users_x_login_idx" ON "p"."portal_users_x" ((LOWER("login")))"#)
        #expect(mariaDB[1].contains("`enabled` TINYINT(1),"))
        #expect(mariaDB[1].contains("`id` VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,"))
        #expect(mariaDB[1].contains("`login` VARCHAR(255),"))
        #expect(mariaDB[1].hasSuffix(") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"))
    }

    /// Every column the layout names exists in its table.
    static func expectColumns(_ layout: DirectoryLayout, _ columns: (String) throws -> [ColumnDescription]?) throws {
        var expected: [String: Set<String>] = [:]
        expected[layout.users.table] = Set(layout.users.attributes.entries.map(\.column) + [layout.users.group].compactMap { $0 })
        if let groups = layout.groups {
            expected[groups.table] = Set(groups.attributes.entries.map(\.column) + [groups.parent].compactMap { $0 })
        }
        if let membership = layout.membership {
            expected[membership.table] = [membership.user, membership.group]
        }
        for (table, names) in expected {
            let actual = try #require(try columns(table), "table \(table) exists")
            #expect(Set(actual.map(\.name)) == names, "columns of \(table)")
        }
    }
}

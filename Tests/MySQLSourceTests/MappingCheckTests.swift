import Directory
import MySQLSource
import SCIM
import SQLClients
import TestSupport
import Testing

/// MappingCheck against the MariaDB that scripts/test starts: DDL statements that break a
/// layout's mapping, and the same mapping fitting again once they are undone.
@Suite struct MappingCheckTests {
    /// users(id, username, email, is_active, group_id), groups(id, name, parent_id),
    /// relation(user_id, group_id), all with names of their own.
    private struct Tables {
        let users = TestServers.uniqueName("mc_users")
        let groups = TestServers.uniqueName("mc_groups")
        let relation = TestServers.uniqueName("mc_rel")

        var layout: DirectoryLayout {
            let workEmail = AttributePath(
                attribute: "emails", valueFilter: .compare(AttributePath(attribute: "type"), .eq, "work"),
                subAttribute: "value")
            return DirectoryLayout(
                users: UsersTable(
                    table: users,
                    attributes: AttributeMap([
                        .init(pathText: "id", path: AttributePath(attribute: "id"), column: "id"),
                        .init(pathText: "userName", path: AttributePath(attribute: "userName"), column: "username"),
                        .init(pathText: "emails[type eq \"work\"].value", path: workEmail, column: "email"),
                        .init(pathText: "active", path: AttributePath(attribute: "active"), column: "is_active"),
                    ])),
                groups: GroupsTable(
                    table: groups,
                    attributes: AttributeMap([
                        .init(pathText: "id", path: AttributePath(attribute: "id"), column: "id"),
                        .init(pathText: "displayName", path: AttributePath(attribute: "displayName"), column: "name"),
                    ]),
                    parent: "parent_id"),
                membership: MembershipTable(table: relation, user: "user_id", group: "group_id"))
        }

        func create(_ connection: MariaDBConnection) throws {
            try connection.execute(
                "CREATE TABLE \(users) (id INT PRIMARY KEY, username VARCHAR(64), email VARCHAR(128), is_active TINYINT(1))")
            try connection.execute("CREATE TABLE \(groups) (id INT PRIMARY KEY, name VARCHAR(64), parent_id INT)")
            try connection.execute("CREATE TABLE \(relation) (user_id INT, group_id INT, PRIMARY KEY (user_id, group_id))")
        }

        func drop(_ connection: MariaDBConnection) {
            for table in [relation, users, groups, users + "_o"] {
                _ = try? connection.execute("DROP TABLE IF EXISTS \(table)")
            }
        }
    }

    private func problem(_ tables: Tables, _ connection: MariaDBConnection) throws -> String? {
        try MappingCheck.problem(layout: tables.layout, database: try TestServers.mariaDBURL().database, connection: connection)
    }

    @Test func aFittingSourceHasNoProblem() throws {
        let connection = try TestServers.mariaDB()
        let tables = Tables()
        try tables.create(connection)
        defer { tables.drop(connection) }
        #expect(try problem(tables, connection) == nil)
        // Column names compare as MySQL compares them: ignoring case.
        try connection.execute("ALTER TABLE \(tables.users) RENAME COLUMN email TO EMAIL")
        #expect(try problem(tables, connection) == nil)
    }

    @Test func aRenamedColumnIsNamedWithItsAttributeAndTheFix() throws {
        let connection = try TestServers.mariaDB()
        let tables = Tables()
        try tables.create(connection)
        defer { tables.drop(connection) }

        try connection.execute("ALTER TABLE \(tables.users) RENAME COLUMN email TO mail")
        #expect(
            try problem(tables, connection)
                == "source table \(tables.users) has no column email (mapped to emails[type eq \"work\"].value; "
                + "did you mean mail?): rename it back, or change the layout in the configuration; "
                + "the pipeline resumes by itself once they fit")

        try connection.execute("ALTER TABLE \(tables.users) RENAME COLUMN mail TO email")
        #expect(try problem(tables, connection) == nil)
    }

    @Test func droppedColumnsOfSeveralTablesAreAllNamed() throws {
        let connection = try TestServers.mariaDB()
        let tables = Tables()
        try tables.create(connection)
        defer { tables.drop(connection) }

        try connection.execute("ALTER TABLE \(tables.users) DROP COLUMN is_active")
        try connection.execute("ALTER TABLE \(tables.groups) DROP COLUMN parent_id")
        try connection.execute("ALTER TABLE \(tables.relation) RENAME COLUMN group_id TO team_id")
        #expect(
            try problem(tables, connection)
                == "source table \(tables.users) has no column is_active (mapped to active); "
                + "source table \(tables.groups) has no column parent_id (the layout's groups.parent); "
                + "source table \(tables.relation) has no column group_id (the layout's membership.group): "
                + "rename them back, or change the layout in the configuration; the pipeline resumes by itself once they fit"
        )
    }

    @Test func aRenamedTableIsNamedWithItsKeyPath() throws {
        let connection = try TestServers.mariaDB()
        let tables = Tables()
        try tables.create(connection)
        defer { tables.drop(connection) }
        let database = try TestServers.mariaDBURL().database

        try connection.execute("RENAME TABLE \(tables.users) TO \(tables.users)_o")
        #expect(
            try problem(tables, connection)
                == "source table \(tables.users) does not exist in database \(database) (the layout's users.table; "
                + "did you mean \(tables.users)_o?): rename it back, or change the layout in the configuration; "
                + "the pipeline resumes by itself once they fit")

        try connection.execute("RENAME TABLE \(tables.users)_o TO \(tables.users)")
        #expect(try problem(tables, connection) == nil)
    }
}

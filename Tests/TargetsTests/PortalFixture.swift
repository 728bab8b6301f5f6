import Directory
import Foundation
import SCIM
import SQLClients
import Targets
import TestSupport

/// The TARGET layout of config/mariadb-to-sqlite.yaml (portal_users, portal_groups with
/// parent, portal_memberships), with table names made unique per test.
enum PortalLayout {
    static func make(suffix: String, oneToMany: Bool = false, mapActive: Bool = true) throws -> DirectoryLayout {
        var userEntries: [(String, String)] = [
            ("id", "id"),
            ("userName", "login"),
            ("name.givenName", "given_name"),
            ("name.familyName", "family_name"),
            (#"emails[type eq "work"].value"#, "mail"),
            ("title", "title"),
        ]
        if mapActive { userEntries.append(("active", "enabled")) }
        userEntries.append(("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber", "employee_no"))
        return DirectoryLayout(
            users: UsersTable(
                table: "portal_users_\(suffix)", attributes: try map(userEntries),
                group: oneToMany ? "group_id" : nil),
            groups: GroupsTable(
                table: "portal_groups_\(suffix)", attributes: try map([("id", "id"), ("displayName", "title")]),
                parent: "parent"),
            membership: oneToMany
                ? nil : MembershipTable(table: "portal_memberships_\(suffix)", user: "user_id", group: "group_id"))
    }

    private static func map(_ entries: [(String, String)]) throws -> AttributeMap {
        AttributeMap(try entries.map { path, column in
            AttributeMap.Entry(pathText: path, path: try AttributePath.parse(path), column: column)
        })
    }

    static func suffix() -> String {
        String(UUID().uuidString.prefix(8).lowercased())
    }
}

/// Builders for the resources and operations of the scenarios.
enum Portal {
    static func user(
        _ id: String, login: String, given: String, family: String, mail: String?, title: String? = nil,
        employeeNumber: String? = nil
    ) -> SCIMResource {
        var object = SCIMObject()
        object["schemas"] = .array([.string(SchemaURN.user), .string(SchemaURN.enterpriseUser)])
        object["id"] = .string(id)
        object["userName"] = .string(login)
        object["name"] = .object(["givenName": .string(given), "familyName": .string(family)])
        if let mail { object["emails"] = .array([.object(["type": "work", "value": .string(mail)])]) }
        if let title { object["title"] = .string(title) }
        object["active"] = .bool(true)
        if let employeeNumber { object[SchemaURN.enterpriseUser] = .object(["employeeNumber": .string(employeeNumber)]) }
        return SCIMResource(object)
    }

    static func group(_ id: String, _ name: String) -> SCIMResource {
        SCIMResource(["schemas": .array([.string(SchemaURN.group)]), "id": .string(id), "displayName": .string(name)])
    }

    static func replace(_ path: String, _ value: String) throws -> PatchOperation {
        PatchOperation(op: .replace, path: try AttributePath.parse(path), value: .string(value))
    }
}

/// One target database under test, with the reads the assertions need.
final class TargetUnderTest {
    let connection: any TargetConnection
    let dialect: SQLDialect
    let layout: DirectoryLayout
    private let cleanup: () -> Void

    init(connection: any TargetConnection, dialect: SQLDialect, layout: DirectoryLayout, cleanup: @escaping () -> Void) {
        self.connection = connection
        self.dialect = dialect
        self.layout = layout
        self.cleanup = cleanup
    }

    deinit { cleanup() }

    static func mariaDB(_ layout: DirectoryLayout, allowsLocalInfile: Bool = false) throws -> TargetUnderTest {
        let connection = try TestServers.mariaDB(allowsLocalInfile: allowsLocalInfile)
        let tables = [layout.membership?.table, layout.users.table, layout.groups?.table].compactMap { $0 }
        return TargetUnderTest(connection: connection, dialect: .mariaDB, layout: layout) {
            for table in tables { _ = try? connection.execute("DROP TABLE IF EXISTS `\(table)`") }
        }
    }

    static func postgres(_ layout: DirectoryLayout, schema: String) throws -> TargetUnderTest {
        let connection = try TestServers.postgres()
        try connection.execute("CREATE SCHEMA \"\(schema)\"")
        return TargetUnderTest(connection: connection, dialect: .postgres(schema: schema), layout: layout) {
            try? connection.execute("DROP SCHEMA \"\(schema)\" CASCADE")
        }
    }

    static func sqlite(_ layout: DirectoryLayout) throws -> TargetUnderTest {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("targets-\(UUID().uuidString).db").path
        let database = try SQLiteDatabase(path: path)
        return TargetUnderTest(connection: database, dialect: .sqlite, layout: layout) {
            try? FileManager.default.removeItem(atPath: path)
        }
    }

    /// Creates the layout's tables with the init-target DDL and opens the target.
    func createTablesAndOpen() throws -> SQLTarget {
        for statement in createTableStatements(for: layout, dialect: dialect) {
            try connection.run(statement)
        }
        return try SQLTarget(connection: connection, dialect: dialect, layout: layout)
    }

    /// The rows of `table` (its `columns`, ordered by them), every value as text so that the
    /// dialects compare alike: booleans as 1/0, NULL as "NULL".
    func rows(_ table: String, _ columns: [String]) throws -> [[String]] {
        let quoted = columns.map(dialect.quote).joined(separator: ", ")
        return try connection.query("SELECT \(quoted) FROM \(dialect.table(table)) ORDER BY \(quoted)", []).map { row in
            row.values.map(Self.text)
        }
    }

    private static func text(_ value: SQLValue) -> String {
        switch value {
        case .null: "NULL"
        case .bool(let flag): flag ? "1" : "0"
        case .int(let number): String(number)
        case .uint(let number): String(number)
        case .text(let text): text
        case .double, .decimal, .bytes, .bits, .date, .time, .dateTime, .timestamp, .json: "\(value)"
        }
    }
}

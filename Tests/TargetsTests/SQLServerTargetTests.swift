import Directory
import SCIM
import SQLClients
import SQLServerClient
import Testing
import TestSupport

@testable import Targets

/// The SQL Server target against the TDS test double (scripts/sqlserver-peer): the scenarios
/// the other databases run, the init-target DDL, and the change tracking context a
/// pipeline's writes carry.
@Suite struct SQLServerTargetTests {
    static let context = Array("scimsync:test-pipeline".utf8)

    /// Creates, patches, a deactivation, parent moves, member removals, deletes; each batch
    /// replayed (upserts, insert-if-absent and deletes are idempotent); a parked membership.
    @Test func portalScenario() throws {
        let layout = try PortalLayout.make(suffix: PortalLayout.suffix())
        try explained { try SQLTargetApplyTests.scenario(try TargetUnderTest.sqlServer(layout, context: Self.context)) }
    }

    @Test func parentMoves() throws {
        let layout = try PortalLayout.make(suffix: PortalLayout.suffix())
        try explained { try ParentMoveBatchingTests.scenario(try TargetUnderTest.sqlServer(layout)) }
    }

    @Test func initTargetTablesHaveEveryMappedColumnAndRunTwice() throws {
        let layout = try PortalLayout.make(suffix: PortalLayout.suffix())
        let database = try TargetUnderTest.sqlServer(layout)
        try explained {
            _ = try database.createTablesAndOpen()
            _ = try database.createTablesAndOpen()
        }
        try TargetDDLTests.expectColumns(layout) { try database.connection.tableColumns($0, schema: "dbo") }
        let users = try #require(try database.connection.tableColumns(layout.users.table, schema: "dbo"))
        #expect(users.first { $0.name == "enabled" }?.sqlType == "bit")
        #expect(users.first { $0.name == "id" }.map { ($0.sqlType, $0.isPrimaryKey) } ?? ("", false) == ("nvarchar(64)", true))
        #expect(users.first { $0.name == "login" }.map { ($0.sqlType, $0.isPrimaryKey) } ?? ("", true) == ("nvarchar(255)", false))
        #expect(try database.connection.tableColumns("no_such_table", schema: "dbo") == nil)
    }

    @Test func oneToManyMembership() throws {
        let layout = try PortalLayout.make(suffix: PortalLayout.suffix(), oneToMany: true)
        let database = try TargetUnderTest.sqlServer(layout)
        let target = try explained { try database.createTablesAndOpen() }
        let users = layout.users.table
        let first = ResourceOp.ordered([
            .create(.group, Portal.group("g1", "Sales")),
            .create(.user, Portal.user("u1", login: "erin", given: "Erin", family: "Hale", mail: nil)),
            .addMember(groupID: "g1", userID: "u1"),
        ])
        _ = try explained { try target.apply(first) }
        try target.apply(first)
        #expect(try database.rows(users, ["id", "group_id"]) == [["u1", "g1"]])
        try target.apply([.removeMember(groupID: "g1", userID: "u1")])
        try target.apply([.removeMember(groupID: "g1", userID: "u1")])
        #expect(try database.rows(users, ["id", "group_id"]) == [["u1", "NULL"]])
    }

    /// Reconciliation's reads: keyset chunks in key order, and integer ids kept as text read
    /// one length at a time (`LEN` in T-SQL), so that "10" follows "9".
    @Test func keysetChunksInKeyOrder() throws {
        let layout = try PortalLayout.make(suffix: PortalLayout.suffix())
        let database = try TargetUnderTest.sqlServer(layout)
        let target = try explained { try database.createTablesAndOpen() }
        let ids = ["1", "2", "3", "10", "11", "100"]
        _ = try explained {
            try target.apply(ids.map { .create(.user, Portal.user($0, login: "u\($0)", given: "G", family: "F", mail: nil)) })
        }
        func text(_ rows: [Row]) -> [String] {
            rows.compactMap { if case .text(let id)? = $0["id"] { id } else { nil } }
        }
        #expect(try target.nextKeyLength(.users, above: 0) == 1)
        let first = try target.readChunk(.users, after: nil, limit: 2, keyLength: 1)
        #expect(text(first) == ["1", "2"])
        #expect(text(try target.readChunk(.users, after: [.text("2")], limit: 2, keyLength: 1)) == ["3"])
        #expect(try target.nextKeyLength(.users, above: 1) == 2)
        #expect(text(try target.readChunk(.users, after: nil, limit: 10, keyLength: 2)) == ["10", "11"])
        #expect(try target.nextKeyLength(.users, above: 2) == 3)
        #expect(try target.nextKeyLength(.users, above: 3) == nil)
        #expect(text(try target.readChunk(.users, after: [.text("11")], limit: 10)) == ["2", "3"])
        #expect(try target.existingIDs(["2", "5", "100"], of: .users) == ["2", "100"])
    }

    /// A binary attribute (x509Certificates) in a varbinary(max) column: bytes are stored, and
    /// so is NULL (a user without one, a certificate removed). SQL Server would refuse that NULL
    /// without the dialect's CONVERT (error 257); the test double does not, so the statement
    /// text is checked in `SQLServerDialectTests`.
    @Test func binaryColumnsTakeBytesAndNull() throws {
        let suffix = PortalLayout.suffix()
        let attributes = AttributeMap(try [("id", "id"), ("userName", "login"), ("x509Certificates.value", "cert")].map {
            AttributeMap.Entry(pathText: $0.0, path: try AttributePath.parse($0.0), column: $0.1)
        })
        let layout = DirectoryLayout(users: UsersTable(table: "certs_\(suffix)", attributes: attributes))
        let database = try TargetUnderTest.sqlServer(layout, context: Self.context)
        let target = try explained { try database.createTablesAndOpen() }
        #expect(try database.connection.tableColumns(layout.users.table, schema: "dbo")?.first { $0.name == "cert" }?.sqlType
            == "varbinary(max)")
        func user(_ id: String, cert: String?) -> SCIMResource {
            var object: SCIMObject = ["schemas": .array([.string(SchemaURN.user)]), "id": .string(id), "userName": .string(id)]
            if let cert { object["x509Certificates"] = .array([.object(["value": .string(cert)])]) }
            return SCIMResource(object)
        }
        // "AQID" is base64 for the bytes 1, 2, 3.
        _ = try explained {
            try target.apply([.create(.user, user("a", cert: "AQID")), .create(.user, user("b", cert: nil))])
        }
        func certs() throws -> [SQLValue] {
            try database.connection.query(
                "SELECT cert FROM \(database.dialect.table(layout.users.table)) ORDER BY id", []
            ).map { $0.values.first ?? .null }
        }
        #expect(try certs() == [.bytes([1, 2, 3]), .null])
        _ = try explained {
            try target.apply([.patch(.user, id: "a", [PatchOperation(op: .remove, path: try AttributePath.parse("x509Certificates"))])])
        }
        #expect(try certs() == [.null, .null])
        // And through the SCIM server's POST (an INSERT of its own).
        target.fillsColumnDefaults = true
        _ = try explained { try target.insert(.user, user("ignored", cert: nil)) }
        #expect(try certs().count == 3)
    }

    /// A pipeline's writes carry its context, which `CHANGETABLE(CHANGES …)` returns as
    /// SYS_CHANGE_CONTEXT; writes without one (`scimsync serve`) carry none.
    @Test func writesCarryTheChangeTrackingContext() throws {
        let layout = try PortalLayout.make(suffix: PortalLayout.suffix())
        let database = try TargetUnderTest.sqlServer(layout, context: Self.context)
        let target = try explained { try database.createTablesAndOpen() }
        let users = database.dialect.table(layout.users.table)
        let relation = database.dialect.table(try #require(layout.membership?.table))
        try database.connection.run("ALTER TABLE \(users) ENABLE CHANGE_TRACKING")
        try database.connection.run("ALTER TABLE \(relation) ENABLE CHANGE_TRACKING")
        try explained {
            try target.apply(ResourceOp.ordered([
                .create(.group, Portal.group("g1", "Sales")),
                .create(.user, Portal.user("u1", login: "erin", given: "Erin", family: "Hale", mail: nil)),
                .addMember(groupID: "g1", userID: "u1"),
            ]))
            try target.apply([.patch(.user, id: "u1", [try Portal.replace("title", "Lead")])])
        }
        func contexts(_ table: String) throws -> [SQLValue] {
            try database.connection.query(
                "SELECT c.SYS_CHANGE_CONTEXT AS ctx FROM CHANGETABLE(CHANGES \(table), 0) AS c", []
            ).map { $0["ctx"] ?? .null }
        }
        #expect(try contexts(users) == [.bytes(Self.context)])
        #expect(try contexts(relation) == [.bytes(Self.context)])

        // The same tables written without a context (as `scimsync serve` writes).
        guard let tagged = database.connection as? SQLServerTargetConnection else {
            Issue.record("not a SQL Server connection")
            return
        }
        tagged.changeTrackingContext = nil
        _ = try explained { try target.apply([.create(.user, Portal.user("u2", login: "finn", given: "Finn", family: "Hale", mail: nil))]) }
        let rows = try database.connection.query(
            "SELECT c.id AS id, c.SYS_CHANGE_CONTEXT AS ctx FROM CHANGETABLE(CHANGES \(users), 0) AS c ORDER BY c.id", [])
        #expect(rows.map { $0["ctx"] ?? .null } == [.bytes(Self.context), .null])
    }
}

import Config
import Directory
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import SCIM
import SCIMServer
import SQLClients
import SQLServerClient
import Targets
import TestSupport
import Testing

/// An ordinary HR schema: `active` in a NOT NULL column with a DEFAULT, a group's name NOT
/// NULL. The schema the server describes follows the tables, and a client that leaves such an
/// attribute out gets the default or a 400 naming it, never a 500.
@Suite("SCIM server: NOT NULL columns")
struct SCIMServerNotNullTests {
    private func directory(_ backend: Backend) throws -> Endpoint {
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let (users, groups) = ("hu_\(suffix)", "hg_\(suffix)")
        let connection: ConnectionConfig
        let run: (String) throws -> Void
        let (id, text, flag): (String, String, String)
        switch backend {
        case .sqlite:
            let path = NSTemporaryDirectory() + "scimsync-notnull-\(suffix).db"
            connection = .sqlite(SQLiteConnectionConfig(path: path))
            let db = try SQLiteDatabase(path: path)
            run = { _ = try db.query($0, []) }
            (id, text, flag) = ("TEXT", "TEXT", "INTEGER NOT NULL DEFAULT 1")
        case .mariadb:
            let url = try TestServers.mariaDBURL()
            connection = .mysql(MySQLConnectionConfig(host: url.host, port: url.port, user: url.user, password: url.password, database: url.database))
            let db = try TestServers.mariaDB()
            run = { _ = try db.query($0, []) }
            (id, text, flag) = ("VARCHAR(64)", "VARCHAR(255)", "TINYINT(1) NOT NULL DEFAULT 1")
        case .postgres:
            let url = try TestServers.postgresURL()
            connection = .postgres(PostgresConnectionConfig(host: url.host, port: url.port, user: url.user, password: url.password, database: url.database))
            let db = try TestServers.postgres()
            run = { _ = try db.query($0, []) }
            (id, text, flag) = ("varchar(64)", "text", "boolean NOT NULL DEFAULT true")
        case .sqlserver:
            let server = try SQLServerTestServer.freshDatabase("scimsync_notnull_\(suffix)")
            connection = .sqlserver(
                SQLServerConnectionConfig(
                    host: server.host, port: server.port, user: server.user, password: server.password,
                    database: server.database ?? "master", encryption: .off))
            let db = try server.connect()
            run = { _ = try db.execute($0) }
            (id, text, flag) = ("nvarchar(64)", "nvarchar(255)", "bit NOT NULL DEFAULT 1")
        }
        try run("CREATE TABLE \(users) (id \(id) PRIMARY KEY, login \(text) NOT NULL, is_active \(flag))")
        try run("CREATE TABLE \(groups) (id \(id) PRIMARY KEY, name \(text) NOT NULL)")
        func map(_ entries: [(String, String)]) throws -> AttributeMap {
            AttributeMap(try entries.map { AttributeMap.Entry(pathText: $0.0, path: try AttributePath.parse($0.0), column: $0.1) })
        }
        let layout = DirectoryLayout(
            users: UsersTable(table: users, attributes: try map([("id", "id"), ("userName", "login"), ("active", "is_active")])),
            groups: GroupsTable(table: groups, attributes: try map([("id", "id"), ("displayName", "name")])))
        return Endpoint(connection: connection, layout: layout)
    }

    /// `is_active` of user `id` as the database stores it (1 or 0).
    private func storedFlag(_ backend: Backend, table: String, id: String) throws -> Int? {
        let rows: [Row]
        switch backend {
        case .sqlite:
            rows = try SQLiteDatabase(path: NSTemporaryDirectory() + "scimsync-notnull-\(table.dropFirst(3)).db")
                .query("SELECT is_active FROM \(table) WHERE id = ?", [.text(id)])
        case .mariadb:
            rows = try TestServers.mariaDB().query("SELECT is_active FROM \(table) WHERE id = ?", [.text(id)])
        case .postgres:
            rows = try TestServers.postgres().query("SELECT is_active FROM \(table) WHERE id = $1", [.text(id)])
        case .sqlserver:
            let server = try SQLServerTestServer.server()
            let database = "scimsync_notnull_\(table.dropFirst(3))"
            let names = try server.connect().query("SELECT name FROM sys.databases WHERE name LIKE @p1", [.text(database + "%")])
            guard case .text(let name)? = names.first?.values.first else { return nil }
            rows = try SQLServerConnection(
                host: server.host, port: server.port, user: server.user, password: server.password, database: name,
                encryption: .off
            ).query("SELECT is_active FROM \(table) WHERE id = @p1", [.text(id)])
        }
        switch rows.first?.values.first {
        case .int(let value)?: return Int(value)
        case .uint(let value)?: return Int(value)
        case .bool(let flag)?: return flag ? 1 : 0
        default: return nil
        }
    }

    @Test("the schema and the writes follow NOT NULL and DEFAULT", arguments: Backend.allCases)
    func schemaFollowsTheTables(backend: Backend) async throws {
        let endpoint = try directory(backend)
        let users = endpoint.layout.users.table
        let first = try SQLTarget.open(endpoint)
        let required = Dictionary(uniqueKeysWithValues: ResourceKind.allCases.map { ($0, first.requiredAttributes($0)) })
        #expect(required[.group] == ["displayName"])
        #expect(required[.user] == ["userName", "active"])
        let service = SCIMService(
            pool: DirectoryPool(size: 1) { try SQLTarget.open(endpoint) }, layout: endpoint.layout,
            settings: SCIMSettings(basePath: "/scim/v2", maxPageSize: 100, token: SCIMServerFixture.token, maxBodyBytes: 1 << 20),
            logger: Logger(label: "scimsync-test"), requiredAttributes: required)
        let app = Application(router: SCIMRouter.router(service: service))
        try await app.test(.router) { client in
            let client = SCIMClient(client: client)
            let group = try await client.send(.get, "Schemas/urn:ietf:params:scim:schemas:core:2.0:Group")
            let displayName = group["attributes"]?.arrayValue?.compactMap(\.objectValue).first { $0["name"] == "displayName" }
            #expect(displayName?["required"] == .bool(true))
            let user = try await client.send(.get, "Schemas/urn:ietf:params:scim:schemas:core:2.0:User")
            let active = user["attributes"]?.arrayValue?.compactMap(\.objectValue).first { $0["name"] == "active" }
            #expect(active?["required"] == .bool(true))

            // Left out on creation: the column's default, as the database would.
            let created = try await client.send(
                .post, "Users", #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ann","active":false}"#)
            #expect(created.status == 201)
            #expect(created["active"] == .bool(false))
            let id = try #require(created["id"]?.stringValue)
            let defaulted = try await client.send(
                .post, "Users", #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bob"}"#)
            #expect(defaulted.status == 201)
            #expect(defaulted["active"] == .bool(true))
            // Left out of a replacement: the default again (RFC 7644 §3.5.1: the service
            // provider "MAY assign a default value"), in the response and in the row.
            let replaced = try await client.send(
                .put, "Users/\(id)", #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ann"}"#)
            #expect(replaced.status == 200)
            #expect(replaced["active"] == .bool(true))
            #expect(try storedFlag(backend, table: users, id: id) == 1)
            // Removed by a PATCH: refused, as for any required attribute (RFC 7644 §3.5.2).
            _ = try await client.patch("Users/\(id)", #"{"op":"replace","path":"active","value":false}"#)
            #expect(try storedFlag(backend, table: users, id: id) == 0)
            let unassigned = try await client.patch("Users/\(id)", #"{"op":"remove","path":"active"}"#)
            #expect(unassigned.status == 400)
            #expect(unassigned.scimType == "mutability")
            #expect(unassigned["detail"]?.stringValue?.hasPrefix("active is required by this directory") == true)
            #expect(try storedFlag(backend, table: users, id: id) == 0)
            // Left out of a replacement without a default: a 400 naming it.
            let noLogin = try await client.send(
                .put, "Users/\(id)", #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"active":false}"#)
            #expect(noLogin.status == 400)
            #expect(noLogin["detail"]?.stringValue?.contains("userName") == true)
            #expect(try storedFlag(backend, table: users, id: id) == 0)
            let noName = try await client.send(.post, "Groups", #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"]}"#)
            #expect(noName.status == 400)
            #expect(noName.scimType == "invalidValue")
            #expect(noName["detail"]?.stringValue?.hasPrefix("displayName is required by this directory") == true)
            let removed = try await client.patch(
                "Groups/\(try await client.createGroup("g"))", #"{"op":"remove","path":"displayName"}"#)
            #expect(removed.status == 400)
            #expect(removed.scimType == "mutability")
        }
    }
}

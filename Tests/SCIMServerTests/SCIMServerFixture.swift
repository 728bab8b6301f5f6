import Config
import Daemon
import Directory
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import SCIM
import SCIMServer
import SQLClients
import SQLServerClient
import Targets
import TestSupport

/// The databases the server is tested on.
/// `sqlserver` is the TDS test double scripts/sqlserver-peer (or the server
/// SCIMSYNC_TEST_SQLSERVER_URL names), a fresh database per fixture.
enum Backend: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite, mariadb, postgres, sqlserver
    var description: String { rawValue }
}

/// A directory in one backend (tables with names no other test uses, made by the same DDL as
/// `scimsync init-target --scim`), the SCIM router over it, and direct SQL for assertions.
final class SCIMServerFixture: Sendable {
    static let token = "test-token-0123456789abcdef"
    let backend: Backend
    let endpoint: Endpoint
    let service: SCIMService
    let suffix: String

    init(
        _ backend: Backend, token: String? = SCIMServerFixture.token, maxPageSize: Int = 1000, maxBodyBytes: Int = 1 << 20,
        timestamps: Bool = false, password: Bool = false, publicURL: String? = nil, trustForwardedHeaders: Bool = false,
        parents: Bool = false, maxOperations: Int = 1_000, maxMembers: Int = 50_000,
        sqlServer: SQLServerTestServer? = nil, poolSize: Int = 3
    ) throws {
        self.backend = backend
        suffix = String(UUID().uuidString.prefix(8).lowercased())
        let connection: ConnectionConfig
        switch backend {
        case .sqlite:
            let path = NSTemporaryDirectory() + "scimsync-serve-\(suffix).db"
            _ = FileManager.default.createFile(atPath: path, contents: nil)
            connection = .sqlite(SQLiteConnectionConfig(path: path))
        case .mariadb:
            let url = try TestServers.mariaDBURL()
            connection = .mysql(MySQLConnectionConfig(host: url.host, port: url.port, user: url.user, password: url.password, database: url.database))
        case .postgres:
            let url = try TestServers.postgresURL()
            connection = .postgres(PostgresConnectionConfig(host: url.host, port: url.port, user: url.user, password: url.password, database: url.database))
        case .sqlserver:
            let server = try (sqlServer ?? SQLServerTestServer.server()).withFreshDatabase("scimsync_serve")
            connection = .sqlserver(
                SQLServerConnectionConfig(
                    host: server.host, port: server.port, user: server.user, password: server.password,
                    database: server.database ?? "master", encryption: .off))
        }
        endpoint = Endpoint(connection: connection, layout: try Self.layout(suffix, timestamps: timestamps, password: password, parents: parents))
        try SQLTarget.createTables(in: endpoint)
        let directory = endpoint
        let pool = DirectoryPool(size: poolSize) { try SQLTarget.open(directory) }
        service = SCIMService(
            pool: pool, layout: endpoint.layout,
            settings: SCIMSettings(
                basePath: "/scim/v2", maxPageSize: maxPageSize, token: token, maxBodyBytes: maxBodyBytes, publicURL: publicURL,
                trustForwardedHeaders: trustForwardedHeaders, maxOperations: maxOperations, maxMembers: maxMembers),
            logger: Logger(label: "scimsync-test"))
    }

    var users: String { "su_\(suffix)" }
    var groups: String { "sg_\(suffix)" }
    var memberships: String { "sm_\(suffix)" }

    static func layout(_ suffix: String, timestamps: Bool = false, password: Bool = false, parents: Bool = false) throws
        -> DirectoryLayout
    {
        func map(_ entries: [(String, String)]) throws -> AttributeMap {
            AttributeMap(try entries.map { AttributeMap.Entry(pathText: $0.0, path: try AttributePath.parse($0.0), column: $0.1) })
        }
        return DirectoryLayout(
            users: UsersTable(
                table: "su_\(suffix)",
                attributes: try map([
                    ("id", "id"), ("userName", "login"), ("name.givenName", "given_name"), ("name.familyName", "family_name"),
                    ("displayName", "display_name"), (#"emails[type eq "work"].value"#, "mail"), ("active", "enabled"),
                    ("externalId", "external_id"), ("title", "title"),
                    ("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber", "employee_no"),
                ] + (timestamps ? [("meta.created", "created_at"), ("meta.lastModified", "updated_at")] : [])
                    + (password ? [("password", "secret")] : []))),
            groups: GroupsTable(
                table: "sg_\(suffix)", attributes: try map([("id", "id"), ("displayName", "title"), ("externalId", "external_id")]),
                parent: parents ? "parent_id" : nil),
            membership: MembershipTable(table: "sm_\(suffix)", user: "user_id", group: "group_id"))
    }

    /// Runs `body` with a client of the production router (no network).
    func withClient<T: Sendable>(_ body: @Sendable (SCIMClient) async throws -> T) async throws -> T {
        let app = Application(router: SCIMRouter.router(service: service))
        return try await app.test(.router) { client in try await body(SCIMClient(client: client)) }
    }

    /// Rows of a statement run directly on the database.
    func query(_ sql: String) throws -> [Row] {
        switch endpoint.connection {
        case .sqlite(let config): return try SQLiteDatabase(path: config.path).query(sql, [])
        case .mysql(let config):
            return try MariaDBConnection(host: config.host, port: config.port, user: config.user, password: config.password, database: config.database).query(sql, [])
        case .postgres(let config):
            return try PostgresConnection(host: config.host, port: config.port, user: config.user, password: config.password, database: config.database).query(sql, [])
        case .sqlserver(let config):
            return try SQLServerConnection(
                host: config.host, port: config.port, user: config.user, password: config.password, database: config.database,
                encryption: .off
            ).query(sql, [])
        }
    }

    /// The texts of one column of a query's rows.
    func column(_ sql: String) throws -> [String] {
        try query(sql).map { row in
            switch row.values.first {
            case .text(let text)?, .decimal(let text)?: text
            case .int(let value)?: String(value)
            case .uint(let value)?: String(value)
            case .bool(let value)?: String(value)
            default: "NULL"
            }
        }
    }

    func quote(_ name: String) -> String {
        switch backend {
        case .mariadb: "`\(name)`"
        case .sqlserver: "[\(name)]"
        case .sqlite, .postgres: "\"\(name)\""
        }
    }
}

/// A response: status, headers and the body as JSON (nil when empty).
struct Reply: Sendable {
    let status: Int
    let headers: HTTPFields
    let json: SCIMValue?

    var object: SCIMObject { json?.objectValue ?? SCIMObject() }
    subscript(key: String) -> SCIMValue? { object[key] }
    var scimType: String? { object["scimType"]?.stringValue }
    var resources: [SCIMObject] { object["Resources"]?.arrayValue?.compactMap(\.objectValue) ?? [] }
}

/// Requests with the bearer token unless told otherwise.
struct SCIMClient: Sendable {
    let client: any TestClientProtocol

    func send(
        _ method: HTTPRequest.Method, _ path: String, _ body: String? = nil, token: String? = SCIMServerFixture.token,
        headers extra: HTTPFields = [:]
    ) async throws -> Reply {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        if body != nil { headers[.contentType] = "application/scim+json" }
        headers.append(contentsOf: extra)
        let uri = path.hasPrefix("/") ? path : "/scim/v2/" + path
        return try await client.execute(
            uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }
        ) { response in
            let bytes = Array(response.body.readableBytesView)
            return Reply(status: Int(response.status.code), headers: response.headers, json: bytes.isEmpty ? SCIMValue?.none : try SCIMValue(json: bytes))
        }
    }

    /// POSTs a user and returns its id.
    func createUser(_ userName: String, given: String = "Given", family: String = "Family", mail: String? = nil, active: Bool = true)
        async throws -> String
    {
        let email = mail.map { #","emails":[{"type":"work","value":"\#($0)"}]"# } ?? ""
        let reply = try await send(
            .post, "Users",
            #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"\#(userName)","name":{"givenName":"\#(given)","familyName":"\#(family)"},"active":\#(active)\#(email)}"#)
        guard reply.status == 201, let id = reply["id"]?.stringValue else {
            throw SCIMError(status: reply.status, detail: "create failed: \(reply.json.map { $0.jsonString() } ?? "")")
        }
        return id
    }

    func createGroup(_ name: String, members: [String] = []) async throws -> String {
        let list = members.map { #"{"value":"\#($0)"}"# }.joined(separator: ",")
        let reply = try await send(
            .post, "Groups", #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"\#(name)","members":[\#(list)]}"#)
        guard reply.status == 201, let id = reply["id"]?.stringValue else {
            throw SCIMError(status: reply.status, detail: "create failed: \(reply.json.map { $0.jsonString() } ?? "")")
        }
        return id
    }

    func patch(_ path: String, _ operations: String, headers: HTTPFields = [:]) async throws -> Reply {
        try await send(.patch, path, #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[\#(operations)]}"#, headers: headers)
    }
}

extension String {
    /// Percent-encoded for a query value.
    var queryEncoded: String {
        addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? self
    }
}

extension Optional where Wrapped == SCIMValue {
    /// Nil, not JSON null (`== nil` would compare with `.null`, SCIMValue being nil-literal
    /// expressible).
    var isAbsent: Bool {
        if case .none = self { return true }
        return false
    }
}

import Connectors
import Directory
import Foundation
import Logging
import MySQLBinlog
import MySQLSource
import SCIM
import SQLClients
import Synchronization
import TestSupport
import Testing

/// A source server that stops answering while its connections stay open (a paused host, a
/// network that drops packets): the connector's statement reads give up after its read timeout
/// instead of waiting for good, and the next snapshot reads everything once the server answers.
@Suite struct FrozenSourceTests {
    @Test func readsFromAFrozenServerFailAndTheNextSnapshotReadsEverything() async throws {
        let server = try PrivateMariaDB()
        defer { server.thaw() }
        let setup = try MariaDBConnection(host: "127.0.0.1", port: server.port, user: server.user, password: server.password)
        try setup.execute("CREATE DATABASE hr")
        try setup.execute("CREATE TABLE hr.people (id INT PRIMARY KEY, username VARCHAR(64), is_active TINYINT(1))")
        try setup.execute(
            "INSERT INTO hr.people VALUES " + (1...25).map { "(\($0), 'user\($0)', 1)" }.joined(separator: ","))
        let layout = DirectoryLayout(
            users: UsersTable(
                table: "people",
                attributes: AttributeMap([
                    .init(pathText: "id", path: AttributePath(attribute: "id"), column: "id"),
                    .init(pathText: "userName", path: AttributePath(attribute: "userName"), column: "username"),
                    .init(pathText: "active", path: AttributePath(attribute: "active"), column: "is_active"),
                ])))
        let connector = MySQLConnector(
            .init(
                host: "127.0.0.1", port: server.port, user: server.user, password: server.password, database: "hr",
                serverID: 4242, layout: layout, onDelete: .delete, readTimeout: .seconds(2)),
            history: .init(load: { SchemaHistory() }, save: { _ in }), logger: Logger(label: "test"))
        // The catalog's connection opens here, before the server freezes.
        #expect(try await connector.mappingProblem() == nil)

        let snapshot = try await connector.openSnapshot()
        let users = try #require(try snapshot.loadPhases(chunkSize: 10)?.first { $0.name == "users" })
        let reader = HandedOver(users.read())
        #expect(try reader.value()?.count == 10)

        let chunk = try await server.callFrozen { try await offPool { try reader.value()?.count } }
        #expect(chunk.endedWhileFrozen, "the chunk's read waited for the frozen server")
        #expect(throws: MariaDBError.self) { try chunk.result.get() }
        let catalog = try await server.callFrozen { try await connector.mappingProblem() }
        #expect(catalog.endedWhileFrozen, "the catalog's read waited for the frozen server")
        #expect(throws: MariaDBError.self) { try catalog.result.get() }

        server.thaw()
        try? snapshot.finish()
        let again = try await connector.openSnapshot()
        defer { try? again.finish() }
        let phase = try #require(try again.loadPhases(chunkSize: 10)?.first { $0.name == "users" })
        let next = phase.read()
        var loaded = 0
        while let ops = try next() { loaded += ops.count }
        #expect(loaded == 25)
        #expect(try await connector.mappingProblem() == nil, "the catalog connects again")
    }
}

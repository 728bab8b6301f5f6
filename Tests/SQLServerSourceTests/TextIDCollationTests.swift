import Config
import Connectors
import Directory
import Logging
import Reconcile
import SCIM
import SQLServerClient
import TestSupport
import Testing

@testable import SQLServerSource

/// Text ids on a SQL Server source: a binary collation reads them in the byte order a
/// reconciliation pass compares in, and `check` warns about a key column without one.
@Suite struct TextIDCollationTests {
    /// A users table with text ids of `collation` (the database default when nil), tracked.
    private func source(_ collation: String?) throws -> (SQLServerTestServer, SQLServerConnector) {
        let server = try SQLServerTestServer.freshDatabase("scimsync_coll")
        let connection = try server.connect()
        let collate = collation.map { " COLLATE \($0)" } ?? ""
        for statement in [
            "CREATE TABLE text_users (id nvarchar(64)\(collate) NOT NULL PRIMARY KEY, username nvarchar(64) NOT NULL)",
            "ALTER TABLE text_users ENABLE CHANGE_TRACKING WITH (TRACK_COLUMNS_UPDATED = ON)",
            "INSERT INTO text_users (id, username) VALUES (N'b', N'lower b'), (N'B', N'upper B'), (N'a', N'a'), (N'\u{E9}', N'e acute')",
        ] where collation != nil || !statement.contains("N'B'") {
            _ = try explained { try connection.execute(statement) }
        }
        let layout = DirectoryLayout(
            users: UsersTable(
                table: "text_users",
                attributes: AttributeMap([
                    .init(pathText: "id", path: AttributePath(attribute: "id"), column: "id"),
                    .init(pathText: "userName", path: AttributePath(attribute: "userName"), column: "username"),
                ])))
        let config = SQLServerConnectionConfig(
            host: server.host, port: server.port, user: server.user, password: server.password, database: server.database!,
            encryption: .off, pollMilliseconds: 50)
        let connector = SQLServerConnector(
            .init(connection: config, layout: layout, onDelete: .delete, echo: nil, reconcileEvery: .seconds(3600)),
            logger: Logger(label: "test"))
        return (server, connector)
    }

    @Test func aBinaryCollationReadsIdsInByteOrderAndPassesTheCheck() async throws {
        let (_, connector) = try source("Latin1_General_100_BIN2")
        let snapshot = try await connector.openSnapshot()
        defer { try? snapshot.finish() }
        var users = try snapshot.reader.entries(.user, chunkSize: 2, order: .binary)
        var ids: [String] = []
        while let chunk = try users.next() { ids += chunk.map(\.id) }
        // 'b' and 'B' are two users; UTF-8 byte order, which reconciliation compares in.
        #expect(ids == ["B", "a", "b", "\u{E9}"])
        #expect(ids == ids.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
        let checks = await connector.probe()
        #expect(!checks.contains { $0.detail.contains("collation") }, "\(checks)")
        #expect(!checks.contains { $0.status == .failed }, "\(checks)")
    }

    @Test func theCheckWarnsAboutACaseInsensitiveKeyColumnAndNamesTheFix() async throws {
        let (_, connector) = try source(nil)
        let checks = await connector.probe()
        let warning = try #require(checks.first { $0.detail.contains("collation") }, "\(checks)")
        #expect(warning.status == .warning)
        #expect(warning.detail.contains("SQL_Latin1_General_CP1_CI_AS"))
        #expect(
            warning.detail.contains(
                "ALTER TABLE [dbo].[text_users] ALTER COLUMN [id] nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL"))
    }

    @Test func binaryCollationNames() {
        #expect(ChangeTrackingProbe.isBinary("Latin1_General_100_BIN2"))
        #expect(ChangeTrackingProbe.isBinary("Latin1_General_100_BIN2_UTF8"))
        #expect(ChangeTrackingProbe.isBinary("SQL_Latin1_General_CP437_BIN"))
        #expect(!ChangeTrackingProbe.isBinary("SQL_Latin1_General_CP1_CI_AS"))
        #expect(!ChangeTrackingProbe.isBinary("Latin1_General_100_CS_AS_SC_UTF8"))
    }
}

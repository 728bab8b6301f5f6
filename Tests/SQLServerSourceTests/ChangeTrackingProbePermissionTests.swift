import Config
import Connectors
import Foundation
import Logging
import SQLServerClient
import TestSupport
import Testing

@testable import SQLServerSource

/// `scimsync check` for a SQL Server source whose login lacks a permission: each table it may
/// not read, or whose changes it may not read, is reported with the GRANT that fixes it, and
/// the check passes once granted. Against the test double (which models logins, users and
/// table GRANTs, with SQL Server's error 229) or the server SCIMSYNC_TEST_SQLSERVER_URL names.
@Suite struct ChangeTrackingProbePermissionTests {
    private static let tables = ["[dbo].[sync_users]", "[dbo].[sync_groups]", "[dbo].[sync_users_groups_rel]"]

    @Test func aLoginWithoutViewChangeTrackingIsToldTheGrant() async throws {
        let source = try SourceDatabase()
        let reader = try Reader(source)
        for table in Self.tables { try source.run("GRANT SELECT ON \(table) TO \(reader.quoted)") }

        let failed = await reader.probe().filter { $0.status == .failed }.map(\.detail)
        for table in Self.tables {
            let expected = "user \(reader.name) may not read the changes of table \(table): GRANT SELECT, VIEW CHANGE TRACKING ON \(table) TO \(reader.quoted)"
            #expect(failed.contains(expected), "\(failed)")
        }
        #expect(failed.count == Self.tables.count, "\(failed)")

        for table in Self.tables { try source.run("GRANT VIEW CHANGE TRACKING ON \(table) TO \(reader.quoted)") }
        let checks = await reader.probe()
        #expect(!checks.contains { $0.status == .failed }, "\(checks)")
        #expect(checks.filter { $0.detail.contains("may read table") }.count == Self.tables.count, "\(checks)")
    }

    @Test func aLoginWithoutSelectIsToldTheGrant() async throws {
        let source = try SourceDatabase()
        let reader = try Reader(source)
        for table in Self.tables { try source.run("GRANT VIEW CHANGE TRACKING ON \(table) TO \(reader.quoted)") }
        for table in Self.tables.dropFirst() { try source.run("GRANT SELECT ON \(table) TO \(reader.quoted)") }

        let failed = await reader.probe().filter { $0.status == .failed }.map(\.detail)
        let users = Self.tables[0]
        #expect(
            failed == ["user \(reader.name) may not read table \(users): GRANT SELECT, VIEW CHANGE TRACKING ON \(users) TO \(reader.quoted)"],
            "\(failed)")

        try source.run("GRANT SELECT ON \(users) TO \(reader.quoted)")
        let checks = await reader.probe()
        #expect(!checks.contains { $0.status == .failed }, "\(checks)")
    }
}

/// A login of its own with a user in the source database and no permission yet.
private struct Reader {
    let name: String
    let source: SourceDatabase
    static let password = "Reader-Passw0rd-1"

    init(_ source: SourceDatabase) throws {
        self.source = source
        name = "scimsync_reader_\(UUID().uuidString.prefix(8).lowercased())"
        try source.run("CREATE LOGIN [\(name)] WITH PASSWORD = N'\(Self.password)'")
        try source.run("CREATE USER [\(name)] FOR LOGIN [\(name)]")
    }

    var quoted: String { "[\(name)]" }

    func probe() async -> [ConnectorCheck] {
        var config = source.config
        config.user = name
        config.password = Self.password
        return await SQLServerConnector(
            .init(connection: config, layout: SeedLayout.layout, onDelete: .delete, echo: nil, reconcileEvery: .seconds(6 * 3600)),
            logger: Logger(label: "test")
        ).probe()
    }
}

import Foundation
import MySQLBinlog
import MySQLSource
import SQLClients
import TestSupport
import Testing

/// SchemaChangeEffect on the statements as MariaDB writes them to the binlog and
/// BinlogChangeReader hands them on (`.schemaChange`), not only on text written by hand.
@Suite struct SchemaChangeStreamTests {
    @Test func ddlOnTheLayoutsTablesReachesTheReaderAndIsRecognised() async throws {
        let connection = try TestServers.mariaDB()
        let url = try TestServers.mariaDBURL()
        let users = TestServers.uniqueName("scs_users")
        let other = TestServers.uniqueName("scs_other")
        try connection.execute("CREATE TABLE \(users) (id INT PRIMARY KEY, email VARCHAR(64)) ENGINE=InnoDB")
        try connection.execute("CREATE TABLE \(other) (id INT PRIMARY KEY) ENGINE=InnoDB")
        defer {
            for table in [users, other] { _ = try? connection.execute("DROP TABLE IF EXISTS \(table)") }
        }
        let start = try connection.currentBinlogPosition()
        try connection.execute("TRUNCATE TABLE \(other)")
        try connection.execute("TRUNCATE TABLE \(users)")
        try connection.execute("ALTER TABLE `\(url.database)`.`\(users)` RENAME COLUMN email TO mail")
        try connection.execute("/* tidy */ DROP TABLE IF EXISTS \(other), \(users)")

        let reader = BinlogChangeReader(
            configuration: .init(
                host: url.host, port: url.port, user: url.user, password: url.password, serverID: uniqueServerID(),
                filter: TableFilter(tables: ["\(url.database).\(users)"]), stopAtEnd: true),
            start: start.start, catalog: SourceCatalog { try TestServers.mariaDB() })
        var effects: [SchemaChangeEffect] = []
        var statements: [String] = []
        while let output = try await reader.next() {
            guard case .schemaChange(let change) = output else { continue }
            // Other tests run DDL on the same server at the same time: only ours count.
            guard change.statement.contains(users) || change.statement.contains(other) else { continue }
            statements.append(change.statement)
            effects.append(
                SchemaChangeEffect.effect(
                    of: change.statement, defaultSchema: change.schema, layoutTables: [users], database: url.database))
        }
        await reader.stop()
        #expect(
            effects == [.none, .truncated(table: users), .reshaped(table: users), .reshaped(table: users)],
            "statements: \(statements)")
    }
}

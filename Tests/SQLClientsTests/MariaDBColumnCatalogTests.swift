import Directory
import SQLClients
import TestSupport
import Testing

@Suite struct MariaDBColumnCatalogTests {
    @Test func collationsEnumsAndMariaDBJSON() throws {
        let connection = try TestServers.mariaDB()
        let table = TestServers.uniqueName("catalog_json")
        try connection.execute("""
            CREATE TABLE \(table) (
                id INT UNSIGNED NOT NULL PRIMARY KEY,
                doc JSON,
                legacy VARCHAR(20) CHARACTER SET latin1 COLLATE latin1_swedish_ci,
                size ENUM('s','m','it''s'),
                note LONGTEXT
            )
            """)
        defer { _ = try? connection.execute("DROP TABLE \(table)") }

        let columns = try connection.catalogColumns(database: "scimsync_test", table: table)
        #expect(columns.map(\.name) == ["id", "doc", "legacy", "size", "note"])
        #expect(columns.map(\.columnType) == ["int(10) unsigned", "longtext", "varchar(20)", "enum('s','m','it''s')", "longtext"])
        #expect(columns.map(\.isJSON) == [false, true, false, false, false])
        // latin1_swedish_ci is collation 8 in every MySQL and MariaDB.
        #expect(columns[2].collationID == 8)
        #expect(columns[0].collationID == nil)
        #expect(try connection.catalogColumns(database: "scimsync_test", table: "no_such_table").isEmpty)
    }
}

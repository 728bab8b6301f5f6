import TestSupport
import Directory
import SQLClients
import Testing

@Suite struct MariaDBCatalogTests {
    @Test func describesColumnsTypesNullabilityAndPrimaryKey() throws {
        let connection = try TestServers.mariaDB()
        let table = TestServers.uniqueName("catalog")
        try connection.execute("""
            CREATE TABLE \(table) (
                tenant INT UNSIGNED NOT NULL,
                id VARCHAR(64) NOT NULL,
                is_active TINYINT(1) NOT NULL DEFAULT 1,
                display_name VARCHAR(255) NULL,
                locked BIT(1),
                PRIMARY KEY (tenant, id)
            )
            """)
        defer { _ = try? connection.execute("DROP TABLE \(table)") }

        let columns = try #require(try connection.columns(ofTable: table))
        #expect(columns == [
            ColumnDescription(name: "tenant", sqlType: "int(10) unsigned", nullable: false, isPrimaryKey: true),
            ColumnDescription(name: "id", sqlType: "varchar(64)", nullable: false, isPrimaryKey: true),
            ColumnDescription(name: "is_active", sqlType: "tinyint(1)", nullable: false, isPrimaryKey: false, hasDefault: true),
            ColumnDescription(name: "display_name", sqlType: "varchar(255)", nullable: true, isPrimaryKey: false),
            ColumnDescription(name: "locked", sqlType: "bit(1)", nullable: true, isPrimaryKey: false),
        ])
        #expect(try connection.columns(ofTable: table, database: "scimsync_test") == columns)
        #expect(try connection.tableNames().contains(table))
        #expect(try connection.tableNames(database: "scimsync_test").contains(table))
    }

    @Test func missingTableHasNoColumns() throws {
        let connection = try TestServers.mariaDB()
        let table = TestServers.uniqueName("missing")
        #expect(try connection.columns(ofTable: table) == nil)
        #expect(try connection.columns(ofTable: "user", database: "no_such_database_x") == nil)
        #expect(try !connection.tableNames().contains(table))
    }

    @Test func otherDatabasesAreDescribedByName() throws {
        let connection = try TestServers.mariaDB()
        let database = TestServers.uniqueName("otherdb")
        try connection.execute("CREATE DATABASE \(database)")
        defer { _ = try? connection.execute("DROP DATABASE \(database)") }
        try connection.execute("CREATE TABLE \(database).people (id BIGINT PRIMARY KEY, email VARCHAR(320))")

        #expect(try connection.tableNames(database: database) == ["people"])
        #expect(try connection.columns(ofTable: "people", database: database) == [
            ColumnDescription(name: "id", sqlType: "bigint(20)", nullable: false, isPrimaryKey: true),
            ColumnDescription(name: "email", sqlType: "varchar(320)", nullable: true, isPrimaryKey: false),
        ])
        // Not in the connection's default database.
        #expect(try connection.columns(ofTable: "people") == nil)
    }
}

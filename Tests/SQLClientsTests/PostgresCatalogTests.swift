import TestSupport
import Directory
import SQLClients
import Testing

@Suite struct PostgresCatalogTests {
    @Test func describesTablesInANonDefaultSchema() throws {
        let connection = try TestServers.postgres()
        let schema = TestServers.uniqueName("directory")
        try connection.execute("""
            CREATE SCHEMA \(schema);
            CREATE TABLE \(schema).people (
                tenant integer NOT NULL,
                id character varying(64) NOT NULL,
                active boolean NOT NULL DEFAULT true,
                display_name text,
                joined timestamp with time zone,
                PRIMARY KEY (tenant, id)
            );
            CREATE TABLE \(schema).groups (id bigint PRIMARY KEY, name text NOT NULL);
            """)
        defer { _ = try? connection.execute("DROP SCHEMA \(schema) CASCADE") }

        #expect(try connection.columns(ofTable: "people", schema: schema) == [
            ColumnDescription(name: "tenant", sqlType: "integer", nullable: false, isPrimaryKey: true),
            ColumnDescription(name: "id", sqlType: "character varying", nullable: false, isPrimaryKey: true),
            ColumnDescription(name: "active", sqlType: "boolean", nullable: false, isPrimaryKey: false, hasDefault: true,
                defaultExpression: "true"),
            ColumnDescription(name: "display_name", sqlType: "text", nullable: true, isPrimaryKey: false),
            ColumnDescription(name: "joined", sqlType: "timestamp with time zone", nullable: true, isPrimaryKey: false),
        ])
        #expect(try connection.tableNames(schema: schema) == ["groups", "people"])
        // Not in `public`.
        #expect(try connection.columns(ofTable: "people") == nil)
    }

    @Test func defaultSchemaIsPublic() throws {
        let connection = try TestServers.postgres()
        let table = TestServers.uniqueName("catalog")
        try connection.execute("CREATE TABLE \(table) (id uuid PRIMARY KEY, email varchar(320))")
        defer { _ = try? connection.execute("DROP TABLE \(table)") }
        #expect(try connection.columns(ofTable: table) == [
            ColumnDescription(name: "id", sqlType: "uuid", nullable: false, isPrimaryKey: true),
            ColumnDescription(name: "email", sqlType: "character varying", nullable: true, isPrimaryKey: false),
        ])
        #expect(try connection.tableNames().contains(table))
    }

    @Test func missingTableOrSchemaHasNoColumns() throws {
        let connection = try TestServers.postgres()
        #expect(try connection.columns(ofTable: TestServers.uniqueName("missing")) == nil)
        #expect(try connection.columns(ofTable: "people", schema: TestServers.uniqueName("noschema")) == nil)
        #expect(try connection.tableNames(schema: TestServers.uniqueName("noschema")) == [])
    }
}

import Directory
import SCIM
import SQLClients
import Testing

@testable import Targets

/// The T-SQL text the dialect writes: bracket quoting with `]` doubled, `@pN` markers, the
/// upsert without MERGE, OFFSET/FETCH paging, and values only ever as parameters.
@Suite struct SQLServerDialectTests {
    let dialect = SQLDialect.sqlServer(schema: "hr]x")
    let marker = SQLDialect.changeTrackingContextMarker

    @Test func quotingDoublesTheClosingBracket() {
        #expect(dialect.quote("a]b") == "[a]]b]")
        #expect(dialect.quote("a[b") == "[a[b]")
        #expect(dialect.table("t") == "[hr]]x].[t]")
        #expect(dialect.placeholder(3) == "@p3")
        #expect(dialect.maxParameters < 2100)
        #expect(dialect.rowsPerStatement(columnsPerRow: 8) == 250)
    }

    @Test func upsertUpdatesUnderLocksThenInsertsWhatIsMissing() {
        let statement = SQLDialect.sqlServer(schema: "dbo").upsert(
            table: "u", columns: ["id", "login"], key: "id", rows: [[.text("1"), .text("O'Brien")], [.text("2"), .text("b")]])
        #expect(
            statement.sql == """
                \(marker)UPDATE [dbo].[u] WITH (UPDLOCK, SERIALIZABLE) SET [login] = @p2 WHERE [id] = @p1;
                \(marker)INSERT INTO [dbo].[u] ([id], [login]) SELECT @p1, @p2 WHERE NOT EXISTS (SELECT 1 FROM [dbo].[u] WITH (UPDLOCK, SERIALIZABLE) WHERE [id] = @p1);
                \(marker)UPDATE [dbo].[u] WITH (UPDLOCK, SERIALIZABLE) SET [login] = @p4 WHERE [id] = @p3;
                \(marker)INSERT INTO [dbo].[u] ([id], [login]) SELECT @p3, @p4 WHERE NOT EXISTS (SELECT 1 FROM [dbo].[u] WITH (UPDLOCK, SERIALIZABLE) WHERE [id] = @p3);

                """)
        #expect(statement.parameters == [.text("1"), .text("O'Brien"), .text("2"), .text("b")])
        #expect(!statement.sql.contains("MERGE") && !statement.sql.contains("O'Brien") && !statement.sql.contains("N'"))
        let idOnly = SQLDialect.sqlServer(schema: "dbo").upsert(table: "u", columns: ["id"], key: "id", rows: [[.int(7)]])
        #expect(!idOnly.sql.contains("UPDATE") && idOnly.sql.contains("WHERE NOT EXISTS"))
    }

    /// A parameter without a value travels as nvarchar, which SQL Server does not convert to
    /// varbinary by itself (error 257; the test double does not model that refusal): values
    /// of binary columns are converted in the statement.
    @Test func binaryColumnsConvertTheirParameters() {
        let dialect = SQLDialect.sqlServer(schema: "dbo")
        let upsert = dialect.upsert(
            table: "u", columns: ["id", "cert"], key: "id", rows: [[.text("1"), .null]], binaryColumns: ["cert"])
        #expect(upsert.sql.contains("SET [cert] = CONVERT(varbinary(max), @p2) WHERE [id] = @p1;"), "\(upsert.sql)")
        #expect(upsert.sql.contains("SELECT @p1, CONVERT(varbinary(max), @p2) WHERE NOT EXISTS"), "\(upsert.sql)")
        let update = dialect.update("u", set: [("cert", .null), ("login", .text("x"))], where: "id", in: [.text("1")], binaryColumns: ["cert"])
        #expect(update.sql == "\(marker)UPDATE [dbo].[u] SET [cert] = CONVERT(varbinary(max), @p1), [login] = @p2 WHERE [id] = @p3")
        #expect(SQLDialect.mariaDB.upsert(table: "u", columns: ["id", "cert"], key: "id", rows: [[.text("1"), .null]], binaryColumns: ["cert"])
            .sql.contains("CONVERT") == false)
    }

    @Test func memberAdditionsInsertOnlyAbsentPairs() {
        let statement = SQLDialect.sqlServer(schema: "dbo").insertIfAbsent(
            table: "m", columns: ["user_id", "group_id"], rows: [[.text("u"), .text("g")]])
        #expect(
            statement.sql
                == "\(marker)INSERT INTO [dbo].[m] ([user_id], [group_id]) SELECT @p1, @p2 WHERE NOT EXISTS "
                + "(SELECT 1 FROM [dbo].[m] WITH (UPDLOCK, SERIALIZABLE) WHERE [user_id] = @p1 AND [group_id] = @p2);\n")
        let removal = SQLDialect.sqlServer(schema: "dbo").delete(
            from: "m", where: "user_id", "group_id", in: [(.text("u"), .text("g"))])
        #expect(removal.sql == "\(marker)DELETE FROM [dbo].[m] WHERE ([user_id] = @p1 AND [group_id] = @p2)")
    }

    /// init-target's DDL: guarded by OBJECT_ID and sys.indexes, since T-SQL has no
    /// `IF NOT EXISTS` for tables and indexes.
    @Test func initTargetStatements() throws {
        let layout = try PortalLayout.make(suffix: "x")
        let statements = createTableStatements(for: layout, dialect: .sqlServer(schema: "dbo"))
        #expect(statements.count == 5)
        #expect(
            statements.first == """
                IF OBJECT_ID(N'[dbo].[portal_groups_x]', N'U') IS NULL CREATE TABLE [dbo].[portal_groups_x] (
                  [id] nvarchar(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
                  [title] nvarchar(255),
                  [parent] nvarchar(64) COLLATE Latin1_General_100_BIN2,
                  PRIMARY KEY ([id]),
                  FOREIGN KEY ([parent]) REFERENCES [dbo].[portal_groups_x] ([id])
                )
                """)
        #expect(statements[1].contains("[enabled] bit,"))
        #expect(
            statements.last
                == "IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'portal_users_x_login_idx' AND object_id = "
                + "OBJECT_ID(N'[dbo].[portal_users_x]')) CREATE INDEX [portal_users_x_login_idx] ON [dbo].[portal_users_x] ([login])")
    }

    @Test func pagesUseOffsetFetch() {
        #expect(dialect.limitClause(10, offset: 20) == " OFFSET 20 ROWS FETCH NEXT 10 ROWS ONLY")
        #expect(dialect.limitClause(10) == " OFFSET 0 ROWS FETCH NEXT 10 ROWS ONLY")
        #expect(dialect.topPrefix(2) == "TOP (2) " && dialect.limitSuffix(2) == "")
        #expect(SQLDialect.mariaDB.limitClause(10, offset: 20) == " LIMIT 10 OFFSET 20")
    }

    @Test func theContextIsBoundAsOneMoreParameterOrDropped() {
        let statement = SQLDialect.sqlServer(schema: "dbo").update(
            "u", set: [("title", .text("x"))], where: "id", in: [.text("1")])
        let (tagged, parameters) = SQLServerTargetConnection.tagged(statement.sql, statement.parameters, context: [1, 2])
        #expect(tagged == "WITH CHANGE_TRACKING_CONTEXT (CONVERT(varbinary(128), @p3)) UPDATE [dbo].[u] SET [title] = @p1 WHERE [id] = @p2")
        #expect(parameters == [.text("x"), .text("1"), .bytes([1, 2])])
        let (plain, unchanged) = SQLServerTargetConnection.tagged(statement.sql, statement.parameters, context: nil)
        #expect(plain == "UPDATE [dbo].[u] SET [title] = @p1 WHERE [id] = @p2" && unchanged == statement.parameters)
    }

    /// A page of a filtered, sorted list over a connection that records what it is sent: the
    /// filter's values are parameters, never text, and the page is OFFSET … FETCH.
    @Test func filteredPagesBindEveryValue() throws {
        let layout = try PortalLayout.make(suffix: "x")
        let connection = RecordingConnection()
        let target = try SQLTarget(connection: connection, dialect: .sqlServer(schema: "dbo"), layout: layout)
        let filter = try Filter.parse(#"userName sw "O'Br[ie]n%" and (title eq "Boss" or not (emails.value co "x"))"#)
        _ = try target.resources(.user, DirectoryQuery(filter: filter, sortBy: try AttributePath.parse("userName"), offset: 20, limit: 10))
        let sql = try #require(connection.statements.last)
        #expect(sql.hasSuffix(" OFFSET 20 ROWS FETCH NEXT 10 ROWS ONLY"), "\(sql)")
        #expect(sql.contains("ORDER BY t.[login] ASC, t.[id] ASC"), "\(sql)")
        #expect(sql.contains("t.[login] LIKE @p1 ESCAPE '!'"), "\(sql)")
        for value in ["O'Br", "Boss", "'x'", "N'"] { #expect(!sql.contains(value), "\(value) in \(sql)") }
        #expect(connection.parameters.last?.first == .text("O'Br![ie]n!%%"))
        _ = try target.resources(.user, DirectoryQuery(limit: 0))
        #expect(connection.statements.count == 1, "no statement for an empty page")
    }
}

/// A connection that answers the catalog from the portal layout's columns (all text) and
/// records every statement it is sent, returning no rows.
final class RecordingConnection: TargetConnection {
    var statements: [String] = []
    var parameters: [[SQLValue]] = []

    func query(_ sql: String, _ parameters: [SQLValue]) throws -> [Row] {
        statements.append(sql)
        self.parameters.append(parameters)
        return []
    }

    func begin() throws {}
    func commit() throws {}
    func rollback() throws {}
    func run(_ sql: String) throws {}

    func tableColumns(_ table: String, schema: String?) throws -> [ColumnDescription]? {
        let columns: [String] =
            if table.hasPrefix("portal_users") {
                ["id", "login", "given_name", "family_name", "mail", "title", "enabled", "employee_no"]
            } else if table.hasPrefix("portal_groups") {
                ["id", "title", "parent"]
            } else {
                ["user_id", "group_id"]
            }
        return columns.map { name in
            ColumnDescription(
                name: name, sqlType: name == "enabled" ? "bit" : "nvarchar(255)", nullable: name != "id",
                isPrimaryKey: name == "id" || name == "user_id" || name == "group_id")
        }
    }
}

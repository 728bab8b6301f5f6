import Directory
import SCIM
import SQLClients
import TestSupport
import Testing

@testable import Targets

/// PostgreSQL's upsert with one array per column (`INSERT … SELECT * FROM unnest($1::type[], …)`)
/// stores what the multi-row VALUES form stores, value for value, and is prepared once per
/// connection.
@Suite struct PostgresArrayUpsertTests {
    /// Columns of most types a layout maps to, with the type names the catalog gives them.
    static let columns: [(name: String, ddl: String)] = [
        ("id", "text PRIMARY KEY"),
        ("login", "varchar(40) NOT NULL UNIQUE"),
        ("number", "integer"),
        ("big", "bigint"),
        ("flag", "boolean"),
        ("amount", "numeric(10,2)"),
        ("seen", "timestamp with time zone"),
        ("local", "timestamp without time zone"),
        ("born", "date"),
        ("raw", "bytea"),
        ("ref", "uuid"),
        ("doc", "jsonb"),
        ("ratio", "double precision"),
        ("note", "text"),
    ]

    /// Rows with the values most likely to be misread inside an array literal.
    static let rows: [[SQLValue]] = {
        let awkward = [
            "plain", "", " spaced ", "NULL", "null", "a,b", "{braces}", "\"quoted\"", "back\\slash", "\\\"both\"\\",
            "new\nline", "tab\there", "Chloé 東京 🙂", "'single'", "$1", "a}b{c", "\\x41",
        ]
        return awkward.enumerated().map { index, text in
            [
                .text("u\(index)"), .text("login-\(index)-" + String(text.prefix(20))),
                index % 3 == 0 ? .null : .int(Int64(index) - 5),
                .int(index % 2 == 0 ? Int64.max - Int64(index) : Int64.min + Int64(index)),
                index % 4 == 0 ? .null : .bool(index % 2 == 0),
                .decimal(index % 2 == 0 ? "12345678.91" : "-0.5"),
                .timestamp(SQLDateTime(date: SQLDate(year: 2024, month: 2, day: 29), hour: 23, minute: 59, second: 58, microsecond: 123_456)),
                .dateTime(SQLDateTime(date: SQLDate(year: 1999, month: 12, day: 31), hour: 0, minute: 0, second: 1, microsecond: 0)),
                .date(SQLDate(year: 2000 + index, month: 1, day: 1 + index)),
                .bytes(Array(text.utf8) + [0, 255]),
                index % 5 == 0 ? .null : .text("00000000-0000-4000-8000-0000000000\((index < 10 ? "0" : "") + String(index))"),
                .json(#"{"k": "\#(index)", "list": [1, null, "x,y"]}"#),
                .double(index % 2 == 0 ? 1.0 / 3.0 : -2.5e-300),
                index % 6 == 0 ? .null : .text(text),
            ]
        }
    }()

    @Test func arraysStoreWhatValuesListsStore() throws {
        let connection = try TestServers.postgres()
        let schema = TestServers.uniqueName("arrays")
        try connection.execute("CREATE SCHEMA \"\(schema)\"")
        defer { try? connection.execute("DROP SCHEMA \"\(schema)\" CASCADE") }
        let definition = Self.columns.map { "\"\($0.name)\" \($0.ddl)" }.joined(separator: ", ")
        for table in ["by_values", "by_arrays"] {
            try connection.execute("CREATE TABLE \"\(schema)\".\(table) (\(definition))")
        }
        let dialect = SQLDialect.postgres(schema: schema)
        let names = Self.columns.map(\.name)
        let table = try TargetTable("by_arrays", columns: names, connection: connection, schema: schema)
        let types = try names.map { name in try #require(table.castableType(name), "\(name) has a castable type") }

        // Twice each: the second pass updates every row (ON CONFLICT) with the same values.
        for _ in 0..<2 {
            let values = dialect.upsert(table: "by_values", columns: names, key: "id", rows: Self.rows)
            #expect(!values.recurs && values.sql.contains(" VALUES "))
            try connection.query(values.sql, values.parameters)
            let arrays = dialect.upsert(table: "by_arrays", columns: names, key: "id", rows: Self.rows, columnTypes: types)
            #expect(arrays.recurs && arrays.parameters.count == names.count)
            #expect(arrays.sql.contains("unnest($1::text[], $2::character varying[], $3::integer[]"))
            try connection.queryPrepared(arrays.sql, arrays.parameters)
        }
        #expect(connection.preparedStatementCount == 1)

        let listed = names.map { "\"\($0)\"" }.joined(separator: ", ")
        let byValues = try connection.query("SELECT \(listed) FROM \"\(schema)\".by_values ORDER BY id", [])
        let byArrays = try connection.query("SELECT \(listed) FROM \"\(schema)\".by_arrays ORDER BY id", [])
        #expect(byValues.count == Self.rows.count)
        #expect(byArrays == byValues)
        // And what went in is what was sent (a few values read back as their type).
        let awkward = try connection.query(
            "SELECT note FROM \"\(schema)\".by_arrays WHERE id = ANY($1::text[]) ORDER BY id",
            [.text(PostgresArrayLiteral.text(["u9", "u13", "u15"].map(SQLValue.text)))])
        #expect(awkward.map { $0.values[0] } == [.text("'single'"), .text("a}b{c"), .text("\\\"both\"\\")])
    }

    /// The portal's tables in a schema of their own on the test server, and a target on them.
    static func portalTarget() throws -> (TargetUnderTest, SQLTarget, PostgresConnection) {
        let suffix = PortalLayout.suffix()
        let database = try TargetUnderTest.postgres(try PortalLayout.make(suffix: suffix), schema: "arrays_\(suffix)")
        let target = try database.createTablesAndOpen()
        return (database, target, try #require(database.connection as? PostgresConnection))
    }

    @Test func aValueTooLongIsRefusedNotCut() throws {
        // An explicit cast to varchar(40) would cut the value; the arrays are cast to the type
        // without its length, and the INSERT's assignment checks it as the column's.
        let connection = try TestServers.postgres()
        let schema = TestServers.uniqueName("arrays")
        try connection.execute("CREATE SCHEMA \"\(schema)\"")
        defer { try? connection.execute("DROP SCHEMA \"\(schema)\" CASCADE") }
        try connection.execute("CREATE TABLE \"\(schema)\".t (id text PRIMARY KEY, login varchar(5), code character(2))")
        let dialect = SQLDialect.postgres(schema: schema)
        let table = try TargetTable("t", columns: ["id", "login", "code"], connection: connection, schema: schema)
        // character's bare name means character(1): not castable, so that table keeps VALUES.
        #expect(table.castableType("code") == nil)
        let statement = dialect.upsert(
            table: "t", columns: ["id", "login"], key: "id", rows: [[.text("1"), .text("toolong")]],
            columnTypes: ["text", try #require(table.castableType("login"))])
        #expect(statement.recurs)
        let error = #expect(throws: PostgresError.self) { try connection.queryPrepared(statement.sql, statement.parameters) }
        #expect(error?.sqlState == "22001")
        #expect(try connection.query("SELECT count(*) FROM \"\(schema)\".t", []) == [Row(columns: ["count"], values: [.int(0)])])
    }

    @Test func removalsDeactivationsAndDeletesBindArraysToo() throws {
        let (database, target, connection) = try Self.portalTarget()
        let layout = database.layout
        let relation = try #require(layout.membership?.table)
        try target.apply(
            [.create(.group, Portal.group("g1", "Engineering")), .create(.group, Portal.group("g2", "Platform"))]
                + (1...8).map { .create(.user, Portal.user("u\($0)", login: "user\($0)", given: "G", family: "F", mail: nil)) }
                + (1...8).flatMap { [.addMember(groupID: "g1", userID: "u\($0)"), .addMember(groupID: "g2", userID: "u\($0)")] })
        let before = connection.preparedStatementCount
        // Each twice: a replay changes nothing more.
        let removals: [ResourceOp] = (1...4).map { .removeMember(groupID: "g1", userID: "u\($0)") }
            + [.removeMember(groupID: "g2", userID: "u8")]
        let deactivations: [ResourceOp] = [.deactivate(userID: "u5"), .deactivate(userID: "u6"), .deactivate(userID: "u7")]
        let deletes: [ResourceOp] = [.delete(.user, id: "u1"), .delete(.user, id: "u2")]
        for ops in [removals, removals, deactivations, deactivations, deletes, deletes] {
            try target.apply(ops)
        }
        // The removal, the deactivation, and the two deletes (relation rows, then users).
        #expect(connection.preparedStatementCount == before + 4)
        #expect(
            try database.rows(relation, ["group_id", "user_id"])
                == [["g1", "u5"], ["g1", "u6"], ["g1", "u7"], ["g1", "u8"]]
                + [["g2", "u3"], ["g2", "u4"], ["g2", "u5"], ["g2", "u6"], ["g2", "u7"]])
        #expect(
            try database.rows(layout.users.table, ["id", "enabled"])
                == [["u3", "1"], ["u4", "1"], ["u5", "0"], ["u6", "0"], ["u7", "0"], ["u8", "1"]])
    }

    @Test func aServerThatLostAStatementGetsEveryStatementWholeFromThenOn() throws {
        let url = try TestServers.postgresURL()
        let preparation = PostgresStatementPreparation()
        func connect() throws -> PostgresConnection {
            try PostgresConnection(
                host: url.host, port: url.port, user: url.user, password: url.password, database: url.database,
                preparation: preparation)
        }
        let first = try connect()
        let schema = TestServers.uniqueName("arrays")
        try first.execute("CREATE SCHEMA \"\(schema)\"")
        defer { try? first.execute("DROP SCHEMA \"\(schema)\" CASCADE") }
        try first.execute("CREATE TABLE \"\(schema)\".t (id text PRIMARY KEY, login text)")
        func upsert(_ id: String) -> SQLStatement {
            SQLDialect.postgres(schema: schema).upsert(
                table: "t", columns: ["id", "login"], key: "id", rows: [[.text(id), .text("login-\(id)")]],
                columnTypes: ["text", "text"])
        }
        try first.queryPrepared(upsert("1").sql, upsert("1").parameters)
        #expect(first.preparedStatementCount == 1)

        try first.execute("DEALLOCATE ALL")
        let error = #expect(throws: PostgresError.self) { try first.queryPrepared(upsert("2").sql, upsert("2").parameters) }
        #expect(error?.sqlState == "26000")
        #expect(!preparation.isOn)
        try first.queryPrepared(upsert("2").sql, upsert("2").parameters)
        // The reconnection a failed batch makes shares the target's preparation.
        let second = try connect()
        try second.queryPrepared(upsert("3").sql, upsert("3").parameters)
        #expect(first.preparedStatementCount == 0 && second.preparedStatementCount == 0)
        #expect(try second.query("SELECT count(*) FROM \"\(schema)\".t", []) == [Row(columns: ["count"], values: [.int(3)])])
    }

    @Test func aTargetPreparesItsUpsertOnceAndSurvivesLosingIt() throws {
        let (database, target, connection) = try Self.portalTarget()
        func users(_ range: ClosedRange<Int>, title: String) -> [ResourceOp] {
            range.map { index in
                .create(.user, Portal.user("u\(index)", login: "user\(index)", given: "G\(index)", family: "F", mail: nil, title: title))
            }
        }
        try target.apply(users(1...30, title: "first"))
        try target.apply(users(20...40, title: "second"))
        #expect(connection.preparedStatementCount == 1)
        // Member additions, replayed: the relation table's insert-if-absent is prepared too.
        let additions: [ResourceOp] = [.create(.group, Portal.group("g1", "Engineering"))]
            + (1...5).map { .addMember(groupID: "g1", userID: "u\($0)") }
        try target.apply(additions)
        try target.apply(additions)
        #expect(connection.preparedStatementCount == 3)
        let relation = try #require(database.layout.membership?.table)
        #expect(try database.rows(relation, ["user_id", "group_id"]) == (1...5).map { ["u\($0)", "g1"] })

        // A rolled-back transaction keeps the session's prepared statements.
        try connection.begin()
        try connection.rollback()
        try target.apply(users(41...41, title: "third"))
        #expect(connection.preparedStatementCount == 3)

        // A session that lost them (a pooler handing over another session does this): the
        // batch fails once, as on any lost statement, and goes through when tried again.
        try connection.execute("DEALLOCATE ALL")
        let lost = #expect(throws: TargetError.self) { try target.apply(users(42...42, title: "fourth")) }
        // Transient: the SCIM server answers 503, and a pipeline tries again.
        #expect(lost?.isTransient == true)
        try target.apply(users(42...42, title: "fourth"))
        #expect(connection.preparedStatementCount == 0)

        let titles = try database.rows(database.layout.users.table, ["title"]).map { $0[0] }
        #expect(titles.filter { $0 == "first" }.count == 19)
        #expect(titles.filter { $0 == "second" }.count == 21)
        #expect(titles.filter { $0 == "third" }.count == 1 && titles.filter { $0 == "fourth" }.count == 1)
    }
}

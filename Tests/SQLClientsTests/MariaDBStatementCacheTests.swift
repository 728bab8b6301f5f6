import Directory
import SQLClients
import TestSupport
import Testing

/// The connection's prepared-statement cache, against the real server: the server's own
/// `Com_stmt_prepare` counter shows whether a statement was prepared again.
@Suite struct MariaDBStatementCacheTests {
    private static func connection(capacity: Int = 16) throws -> MariaDBConnection {
        let url = try TestServers.mariaDBURL()
        return try MariaDBConnection(
            host: url.host, port: url.port, user: url.user, password: url.password, database: url.database,
            statementCacheCapacity: capacity)
    }

    /// COM_STMT_PREPARE commands this session has sent so far (the read itself is a prepared
    /// statement too, kept after its first use).
    private static func prepares(_ connection: MariaDBConnection) throws -> Int {
        let rows = try connection.query("SHOW SESSION STATUS LIKE 'Com_stmt_prepare'")
        guard case .text(let text)? = rows.first?.values.last, let count = Int(text) else {
            Issue.record("no Com_stmt_prepare in \(rows)")
            return -1
        }
        return count
    }

    @Test func aStatementRunAgainIsNotPreparedAgainAndBindsItsNewValues() throws {
        let connection = try Self.connection()
        let table = TestServers.uniqueName("cache")
        try connection.execute("CREATE TABLE \(table) (id INT PRIMARY KEY, name VARCHAR(20))")
        defer { _ = try? connection.execute("DROP TABLE \(table)") }
        _ = try Self.prepares(connection)
        let before = try Self.prepares(connection)
        for id in 1...5 {
            try connection.query("INSERT INTO \(table) (id, name) VALUES (?, ?)", [.int(Int64(id)), .text("n\(id)")])
        }
        for id in 1...5 {
            #expect(try connection.query("SELECT name FROM \(table) WHERE id = ?", [.int(Int64(id))])
                == [Row(["name": .text("n\(id)")])])
        }
        // One prepare for the INSERT, one for the SELECT.
        #expect(try Self.prepares(connection) - before == 2)
    }

    @Test func theLeastRecentlyUsedStatementIsClosedBeyondTheCapacity() throws {
        let connection = try Self.connection(capacity: 3)
        _ = try Self.prepares(connection)
        let before = try Self.prepares(connection)
        try connection.query("SELECT 1")
        try connection.query("SELECT 2")
        try connection.query("SELECT 1")
        #expect(try Self.prepares(connection) - before == 2)
        // The cache holds the status read, SELECT 1 and SELECT 2, which was used least
        // recently: SELECT 3 closes it.
        try connection.query("SELECT 3")
        #expect(connection.cachedStatementCount == 3)
        try connection.query("SELECT 1")
        #expect(try Self.prepares(connection) - before == 3)
        try connection.query("SELECT 2")
        #expect(try Self.prepares(connection) - before == 4)
    }

    @Test func withoutACacheEveryCallPrepares() throws {
        let connection = try Self.connection(capacity: 0)
        let before = try Self.prepares(connection)
        try connection.query("SELECT 1")
        try connection.query("SELECT 1")
        #expect(connection.cachedStatementCount == 0)
        // Two SELECTs and the status read itself.
        #expect(try Self.prepares(connection) - before == 3)
    }

    @Test func aStatementThatFailedIsPreparedAfreshAndWorks() throws {
        let connection = try Self.connection()
        let table = TestServers.uniqueName("cachefail")
        try connection.execute("CREATE TABLE \(table) (id INT PRIMARY KEY)")
        defer { _ = try? connection.execute("DROP TABLE \(table)") }
        let insert = "INSERT INTO \(table) (id) VALUES (?)"
        try connection.query(insert, [.int(1)])
        let count = connection.cachedStatementCount
        let duplicate = try #require(throws: MariaDBError.self) { try connection.query(insert, [.int(1)]) }
        #expect(duplicate.code == 1062)
        #expect(connection.cachedStatementCount == count - 1)
        try connection.query(insert, [.int(2)])
        #expect(try connection.query("SELECT id FROM \(table) ORDER BY id") == [Row(["id": .int(1)]), Row(["id": .int(2)])])
    }

    @Test func aKilledConnectionDropsItsStatementsAndAFreshOneWorks() throws {
        let connection = try Self.connection()
        let other = try Self.connection()
        let id: String
        switch try connection.query("SELECT CONNECTION_ID() AS id").first?.values.first {
        case .uint(let number)?: id = String(number)
        case .int(let number)?: id = String(number)
        case let other:
            Issue.record("no connection id: \(String(describing: other))")
            return
        }
        #expect(connection.cachedStatementCount >= 1)
        try other.execute("KILL CONNECTION \(id)")
        let lost = try #require(throws: MariaDBError.self) { try connection.query("SELECT CONNECTION_ID() AS id") }
        #expect(lost.kind == .lostConnection)
        #expect(connection.cachedStatementCount == 0)
        // What the pipeline does next: a new connection, whose cache starts empty.
        let fresh = try Self.connection()
        #expect(try fresh.query("SELECT 1 AS one") == [Row(["one": .int(1)])])
    }

    @Test func aCachedSelectSeesAColumnAddedMeanwhile() throws {
        let connection = try Self.connection()
        let other = try Self.connection()
        let table = TestServers.uniqueName("cachealter")
        try connection.execute("CREATE TABLE \(table) (id INT PRIMARY KEY)")
        defer { _ = try? connection.execute("DROP TABLE \(table)") }
        try connection.execute("INSERT INTO \(table) VALUES (1)")
        let select = "SELECT * FROM \(table) WHERE id = ?"
        #expect(try connection.query(select, [.int(1)]) == [Row(["id": .int(1)])])
        try other.execute("ALTER TABLE \(table) ADD COLUMN name VARCHAR(10) NOT NULL DEFAULT 'x'")
        let after = try? connection.query(select, [.int(1)])
        // Either the server re-prepares it transparently, or the stale statement fails once
        // and is dropped: never stale rows twice.
        let again = try connection.query(select, [.int(1)])
        #expect(again == [Row(["id": .int(1), "name": .text("x")])])
        if let after { #expect(after == again) }
    }
}

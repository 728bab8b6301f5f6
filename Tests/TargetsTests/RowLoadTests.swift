import Connectors
import Directory
import Foundation
import SCIM
import SQLClients
import Synchronization
import Testing

@testable import Targets

/// A first load's users read as the source's rows and transcoded into the target's
/// (``RowTranscoder``; on PostgreSQL in one COPY with the table's keys aside): the target ends
/// up with exactly the rows the general way (a resource per row) writes, and what the target
/// refuses is quarantined as the general way quarantines it.
@Suite struct RowLoadTests {
    enum Backend: String, CaseIterable, CustomTestStringConvertible {
        case postgres, sqlite, mariaDB
        var testDescription: String { rawValue }
    }

    static func database(_ backend: Backend) throws -> TargetUnderTest {
        let suffix = PortalLayout.suffix()
        let layout = try PortalLayout.make(suffix: suffix)
        switch backend {
        case .postgres: return try .postgres(layout, schema: "row_load_\(suffix)")
        case .sqlite: return try .sqlite(layout)
        case .mariaDB: return try .mariaDB(layout, allowsLocalInfile: true)
        }
    }

    /// The source's users map: the seed layout's columns for the portal's attributes.
    static let source: RowMapper = {
        let pairs = [
            ("id", "id"), ("userName", "username"), ("name.givenName", "first_name"), ("name.familyName", "last_name"),
            (#"emails[type eq "work"].value"#, "email"), ("title", "job_title"), ("active", "is_active"),
            ("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber", "employee_number"),
        ]
        let entries = pairs.map { try! AttributeMap.Entry(pathText: $0.0, path: AttributePath.parse($0.0), column: $0.1) }
        return RowMapper(kind: .user, table: "sync_users", attributes: AttributeMap(entries))
    }()

    /// A source row; text that COPY and LOAD DATA must escape in some of them.
    static func row(_ index: Int, login: String? = nil, title: String? = nil) -> Row {
        let id = String(format: "u%02d", index)
        return Row(
            columns: ["id", "username", "first_name", "last_name", "email", "job_title", "is_active", "employee_number"],
            values: [
                .text(id), .text(login ?? id),
                .text(["Chloé", "tab\there", "back\\slash", "new\nline", "Ünïcødé 𝔘"][index % 5]),
                index % 4 == 0 ? .null : .text("Family \(index)"),
                index % 3 == 0 ? .null : .text("\(id)@example.org"),
                title.map(SQLValue.text) ?? (index % 2 == 0 ? .text("Engineer") : .null),
                .int(Int64(index % 2)),
                index % 6 == 0 ? .null : .int(Int64(1000 + index)),
            ])
    }

    static let rows = (1...45).map { row($0) }

    /// Groups g1 and g2, `users` (as rows, in chunks of 20, or as the creates they stand for),
    /// then every user in g1.
    static func phases(_ users: [Row], asRows: Bool, failAt: Int? = nil) -> [LoadPhase] {
        func opsPhase(_ name: String, creates: Bool, _ ops: [ResourceOp]) -> LoadPhase {
            LoadPhase(name: name, creates: creates) {
                var chunks = [ops]
                return { chunks.isEmpty ? nil : chunks.removeFirst() }
            }
        }
        let rows = LoadRows(mapper: source) {
            var chunks = stride(from: 0, to: users.count, by: 20).map { Array(users[$0..<min($0 + 20, users.count)]) }
            var given = 0
            return {
                if given == failAt { throw SourceGone() }
                given += 1
                return chunks.isEmpty ? nil : chunks.removeFirst()
            }
        }
        var usersPhase = LoadPhase(name: "users", rows: rows)
        if !asRows { usersPhase.rows = nil }
        let ids = users.compactMap { row -> String? in if case .text(let id) = row.values[0] { id } else { nil } }
        return [
            opsPhase("groups", creates: true, [.create(.group, Portal.group("g1", "One")), .create(.group, Portal.group("g2", "Two"))]),
            usersPhase,
            opsPhase("memberships", creates: false, Set(ids).sorted().map { .addMember(groupID: "g1", userID: $0) }),
        ]
    }

    struct SourceGone: Error {}

    /// The loaded tables, every column.
    static func contents(_ database: TargetUnderTest) throws -> [[[String]]] {
        [
            try database.rows(
                database.layout.users.table,
                ["id", "login", "given_name", "family_name", "mail", "title", "enabled", "employee_no"]),
            try database.rows(try #require(database.layout.membership?.table), ["group_id", "user_id"]),
        ]
    }

    /// The keys and indexes of the users table and of the table referencing it, sorted
    /// (PostgreSQL).
    static func keys(_ database: TargetUnderTest) throws -> [String] {
        let table = database.dialect.table(database.layout.users.table)
        return try database.connection.query(
            """
            SELECT conname || ': ' || pg_get_constraintdef(oid) FROM pg_constraint
            WHERE conrelid = $1::text::regclass OR confrelid = $1::text::regclass
            UNION ALL SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = $1::text::regclass
            """, [.text(table)]
        ).compactMap { row in if case .text(let text)? = row.values.first { text } else { nil } }.sorted()
    }

    /// Loads `users` into a fresh database of `backend`, as rows or as creates.
    static func load(_ backend: Backend, _ users: [Row], asRows: Bool, failAt: Int? = nil) throws -> Loaded {
        let database = try Self.database(backend)
        let target = try ApplyNeverBlocksTests.createTables(database)
        let keysBefore = backend == .postgres ? try Self.keys(database) : []
        let created = Mutex<[String]>([])
        let notices = NoticeLog()
        let outcome = Result {
            try InitialLoad.run(
                Self.phases(users, asRows: asRows, failAt: failAt), target: target,
                created: { entries in created.withLock { $0 += entries.filter { $0.kind == .user }.map(\.id) } },
                notice: { notices.add($0) })
        }
        return Loaded(
            database: database, outcome: outcome, created: created.withLock { Set($0) }, notices: notices.texts,
            keysBefore: keysBefore)
    }

    /// Loads ``rows`` as rows with user `number` replaced by `row` (one the load must refuse):
    /// that user alone is quarantined, and the other 44 reach the target.
    static func loadRefusing(_ number: Int, as row: Row, _ backend: Backend) throws -> (Loaded, ApplyOutcome) {
        var users = Self.rows
        users[number - 1] = row
        let load = try Self.load(backend, users, asRows: true)
        let outcome = try load.outcome.get()
        #expect(outcome.quarantined.map { "\($0.kind) \($0.id)" } == ["User \(try Self.source.id(in: row))"])
        #expect(try Self.contents(load.database)[0].count == 44)
        return (load, outcome)
    }

    struct Loaded {
        let database: TargetUnderTest
        let outcome: Result<ApplyOutcome, any Error>
        let created: Set<String>
        let notices: [String]
        let keysBefore: [String]
    }

    @Test(arguments: Backend.allCases)
    func rowsLoadAsTheirResourcesDo(_ backend: Backend) throws {
        let transcoded = try Self.load(backend, Self.rows, asRows: true)
        let general = try Self.load(backend, Self.rows, asRows: false)
        let outcome = try transcoded.outcome.get()
        #expect(outcome.quarantined.isEmpty && outcome.parked.isEmpty)
        #expect(transcoded.notices.isEmpty)
        let contents = try Self.contents(transcoded.database)
        #expect(contents[0].count == 45 && contents[1].count == 45)
        #expect(contents == (try Self.contents(general.database)))
        #expect(contents[0].first == ["u01", "u01", "tab\there", "Family 1", "u01@example.org", "NULL", "1", "1001"])
        #expect(transcoded.created == Set(Self.rows.map { try! Self.source.id(in: $0) }))
        if backend == .postgres {
            // The keys came back as they were, the foreign key from the relation table too,
            // and they are checked.
            #expect(try Self.keys(transcoded.database) == transcoded.keysBefore)
            let users = transcoded.database.dialect.table(transcoded.database.layout.users.table)
            #expect(throws: (any Error).self) {
                try transcoded.database.connection.run(
                    "INSERT INTO \(users) (id, login, given_name) VALUES ('u01', 'again', 'G')")
            }
        }
    }

    /// A value the target's column cannot hold: the transcoder refuses the chunk, the
    /// general way quarantines the row, and the rest loads.
    @Test(arguments: Backend.allCases)
    func aValueTheTargetRefusesIsQuarantined(_ backend: Backend) throws {
        let (load, _) = try Self.loadRefusing(25, as: Self.row(25, title: "Principal Distinguished Engineer"), backend)
        #expect(try !Self.contents(load.database)[0].contains { $0[0] == "u25" })
        if backend == .postgres { #expect(try Self.keys(load.database) == load.keysBefore) }
    }

    /// A login twice: on PostgreSQL the unique key made again refuses the rows, the whole
    /// load of the users is rolled back and said, and the batch path quarantines the second.
    @Test(arguments: Backend.allCases)
    func aKeyTheRowsBreakLeavesThemToTheBatchPath(_ backend: Backend) throws {
        let (load, outcome) = try Self.loadRefusing(40, as: Self.row(40, login: "u03"), backend)
        // The memberships' load says why it went batch by batch too: u40's membership waits
        // for its user.
        let said = load.notices.filter { $0.hasPrefix("the users were loaded batch by batch with their table's keys in place: ") }
        #expect(outcome.parked.map { "\($0.waitingFor.rawValue) \($0.waitingID)" } == ["User u40"])
        if backend == .postgres {
            #expect(said.count == 1)
            #expect(try Self.keys(load.database) == load.keysBefore)
        } else {
            #expect(said.isEmpty)
        }
    }

    /// The source failing part-way: the load fails with its error; on PostgreSQL the users'
    /// transaction is rolled back whole, keys and all.
    @Test(arguments: Backend.allCases)
    func aSourceErrorFailsTheLoad(_ backend: Backend) throws {
        let load = try Self.load(backend, Self.rows, asRows: true, failAt: 1)
        #expect(throws: SourceGone.self) { try load.outcome.get() }
        if backend == .postgres {
            #expect(try Self.contents(load.database)[0].isEmpty)
            #expect(try Self.keys(load.database) == load.keysBefore)
        }
    }
}

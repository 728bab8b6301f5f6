import Connectors
import Directory
import Foundation
import SQLClients
import Testing

@testable import Targets

/// A first load's member additions into an empty relation table, in one transaction with the
/// table's keys set aside and made again before COMMIT (PostgreSQL and SQLite): the rows
/// arrive, the keys come back exactly as they were and are enforced again, and whatever the
/// keys refuse, or a source error, leaves the table as it was for the batch path to load.
@Suite struct KeysAsideLoadTests {
    enum Backend: String, CaseIterable, CustomTestStringConvertible {
        case postgres, sqlite
        var testDescription: String { rawValue }
    }

    static func database(_ backend: Backend) throws -> TargetUnderTest {
        let suffix = PortalLayout.suffix()
        let layout = try PortalLayout.make(suffix: suffix)
        switch backend {
        case .postgres: return try .postgres(layout, schema: "keys_aside_\(suffix)")
        case .sqlite: return try .sqlite(layout)
        }
    }

    /// Groups g1...g3 and users u01...u40, written the ordinary way.
    static func directory(_ target: SQLTarget) throws {
        try target.apply((1...3).map { .create(.group, Portal.group("g\($0)", "Group \($0)")) })
        try target.apply(users.map { .create(.user, Portal.user($0, login: $0, given: "G", family: "F", mail: nil)) })
    }

    static let users = (1...40).map { String(format: "u%02d", $0) }

    /// Every user in g1 and g2, every other one in g3: 100 rows.
    static let memberships: [ResourceOp] = users.enumerated().flatMap { index, user in
        (index % 2 == 0 ? ["g1", "g2", "g3"] : ["g1", "g2"]).map { ResourceOp.addMember(groupID: $0, userID: user) }
    }

    /// A reader giving `ops` in chunks of `size`, counting the chunks it gave.
    final class Chunks {
        private var rest: ArraySlice<ResourceOp>
        let size: Int
        var given = 0
        var failAt: Int?

        init(_ ops: [ResourceOp], size: Int, failAt: Int? = nil) {
            rest = ops[...]
            self.size = size
            self.failAt = failAt
        }

        func next() throws -> [ResourceOp]? {
            if given == failAt { throw SourceGone() }
            guard !rest.isEmpty else { return nil }
            given += 1
            defer { rest = rest.dropFirst(size) }
            return Array(rest.prefix(size))
        }
    }

    struct SourceGone: Error {}

    /// The relation table's keys and indexes as the catalog describes them, sorted.
    static func keys(_ database: TargetUnderTest) throws -> [String] {
        let table = try #require(database.layout.membership?.table)
        let rows: [Row]
        switch database.dialect {
        case .postgres:
            rows = try database.connection.query(
                """
                SELECT conname || ': ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = $1::text::regclass
                UNION ALL SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = $1::text::regclass
                """, [.text(database.dialect.table(table))])
        default:
            rows = try database.connection.query(
                """
                SELECT name || ': ' || coalesce(sql, 'automatic') FROM sqlite_master WHERE type = 'index' AND tbl_name = ?1
                UNION ALL SELECT "table" || '(' || "from" || ' -> ' || "to" || ')' FROM pragma_foreign_key_list(?1)
                """, [.text(table)])
        }
        return rows.compactMap { row in if case .text(let text)? = row.values.first { text } else { nil } }.sorted()
    }

    @Test(arguments: Backend.allCases)
    func anEmptyRelationTableIsLoadedInOneTransactionAndGetsItsKeysBack(_ backend: Backend) throws {
        let (database, target, before) = try Self.prepared(backend)
        // A foreign key to each side, the primary key (PostgreSQL: and its index), and the
        // init-target index on the group.
        #expect(before.count == (backend == .postgres ? 5 : 4))
        let chunks = Chunks(Self.memberships, size: 30)
        guard case .loaded(let result) = try target.loadSettingKeysAside(chunks.next) else {
            Issue.record("not loaded with the keys aside")
            return
        }
        #expect(result.applied[.addMember] == 100)
        #expect(result.statements == 4)
        #expect(result.loadedInBulk)
        let relation = try #require(database.layout.membership?.table)
        #expect(try database.rows(relation, ["user_id"]).count == 100)
        #expect(try database.rows(relation, ["group_id", "user_id"]).filter { $0[0] == "g3" }.count == 20)
        #expect(try Self.keys(database) == before)
        // The foreign keys are back, and checked.
        let table = database.dialect.table(relation)
        #expect(throws: (any Error).self) {
            try database.connection.run("INSERT INTO \(table) (user_id, group_id) VALUES ('nobody', 'g1')")
        }
        #expect(throws: (any Error).self) {
            try database.connection.run("INSERT INTO \(table) (user_id, group_id) VALUES ('u01', 'g1')")
        }
    }

    /// Empty tables made by the init-target DDL, the directory in them, and the relation
    /// table's keys before the load.
    static func prepared(_ backend: Backend) throws -> (database: TargetUnderTest, target: SQLTarget, keysBefore: [String]) {
        let database = try Self.database(backend)
        let target = try database.createTablesAndOpen()
        try Self.directory(target)
        return (database, target, try Self.keys(database))
    }

    /// The directory, then `InitialLoad` with one phase: every membership and `extra`, in
    /// chunks of 30.
    static func loadMemberships(_ backend: Backend, and extra: ResourceOp) throws
        -> (database: TargetUnderTest, outcome: ApplyOutcome, notices: [String], keysBefore: [String])
    {
        let (database, target, before) = try Self.prepared(backend)
        let notices = NoticeLog()
        let outcome = try InitialLoad.run(
            [LoadPhase(name: "memberships", creates: false) { Chunks(Self.memberships + [extra], size: 30).next }],
            target: target, notice: { notices.add($0) })
        return (database, outcome, notices.texts, before)
    }

    @Test(arguments: Backend.allCases)
    func aMemberWithoutItsUserRollsTheLoadBackAndTheBatchPathParksIt(_ backend: Backend) throws {
        let load = try Self.loadMemberships(backend, and: .addMember(groupID: "g1", userID: "u404"))
        #expect(load.notices.count == 1)
        #expect(
            load.notices.first?.hasPrefix("the memberships were loaded batch by batch with the relation table's keys in place: ")
                == true)
        #expect(load.outcome.parked.map { "\($0.waitingFor.rawValue) \($0.waitingID)" } == ["User u404"])
        let relation = try #require(load.database.layout.membership?.table)
        #expect(try load.database.rows(relation, ["user_id"]).count == 100)
        #expect(try Self.keys(load.database) == load.keysBefore)
    }

    @Test(arguments: Backend.allCases)
    func aRowTwiceRollsTheLoadBackAndTheBatchPathWritesItOnce(_ backend: Backend) throws {
        let load = try Self.loadMemberships(backend, and: .addMember(groupID: "g2", userID: "u07"))
        #expect(load.notices.count == 1)
        #expect(load.outcome.parked.isEmpty && load.outcome.quarantined.isEmpty)
        let relation = try #require(load.database.layout.membership?.table)
        #expect(try load.database.rows(relation, ["user_id"]).count == 100)
        #expect(try Self.keys(load.database) == load.keysBefore)
    }

    @Test(arguments: Backend.allCases)
    func aTableWithRowsIsLeftToTheBatchPath(_ backend: Backend) throws {
        let (database, target, _) = try Self.prepared(backend)
        try target.apply([.addMember(groupID: "g1", userID: "u01")])
        let chunks = Chunks(Self.memberships, size: 30)
        guard case .notLoaded(nil) = try target.loadSettingKeysAside(chunks.next) else {
            Issue.record("loaded with the keys aside into a table with rows")
            return
        }
        let relation = try #require(database.layout.membership?.table)
        #expect(try database.rows(relation, ["group_id", "user_id"]) == [["g1", "u01"]])
    }

    @Test(arguments: Backend.allCases)
    func aSourceErrorRollsEverythingBackAndIsThrown(_ backend: Backend) throws {
        let (database, target, before) = try Self.prepared(backend)
        let chunks = Chunks(Self.memberships, size: 30, failAt: 3)
        #expect(throws: SourceGone.self) { try target.loadSettingKeysAside(chunks.next) }
        let relation = try #require(database.layout.membership?.table)
        #expect(try database.rows(relation, ["user_id"]).isEmpty)
        #expect(try Self.keys(database) == before)
        // The connection is usable: the next load goes through.
        guard case .loaded = try target.loadSettingKeysAside(Chunks(Self.memberships, size: 30).next) else {
            Issue.record("not loaded after the rollback")
            return
        }
        #expect(try database.rows(relation, ["user_id"]).count == 100)
    }

    @Test func otherPhasesAndOtherTargetsAreNotLoadedThisWay() throws {
        let database = try Self.database(.sqlite)
        let target = try database.createTablesAndOpen()
        let groups = Chunks([.moveParent(groupID: "g2", parentID: "g1")], size: 1)
        guard case .notLoaded(nil) = try target.loadSettingKeysAside(groups.next) else {
            Issue.record("moves loaded with the keys aside")
            return
        }
        #expect(target.setsKeysAside)
        target.fillsColumnDefaults = true
        #expect(!target.setsKeysAside)
        // MariaDB's first load spreads the memberships over two connections, which measured
        // faster than one transaction with its checks off.
        let mariaDB = try TargetUnderTest.mariaDB(try PortalLayout.make(suffix: PortalLayout.suffix()), allowsLocalInfile: true)
        #expect(try !mariaDB.createTablesAndOpen().setsKeysAside)
    }
}

/// Notices told by a load, from any of its threads.
final class NoticeLog: @unchecked Sendable {
    private let lock = NSLock()
    private var told: [String] = []

    func add(_ text: String) {
        lock.withLock { told.append(text) }
    }

    var texts: [String] { lock.withLock { told } }
}

extension KeysAsideLoadTests {
    /// A partitioned PostgreSQL relation table keeps its keys: its indexes' definitions read
    /// `ON ONLY`, which would make them again for the parent alone.
    @Test func aPartitionedPostgreSQLTableIsLeftToTheBatchPath() throws {
        let database = try Self.database(.postgres)
        let layout = database.layout
        let relation = try #require(layout.membership?.table)
        for statement in createTableStatements(for: layout, dialect: database.dialect)
        where !statement.contains(relation) {
            try database.connection.run(statement)
        }
        let table = database.dialect.table(relation)
        let partition = database.dialect.table(relation + "_p0")
        try database.connection.run(
            "CREATE TABLE \(table) (user_id varchar(64) NOT NULL, group_id varchar(64) NOT NULL, PRIMARY KEY (user_id, group_id)) PARTITION BY HASH (user_id)")
        try database.connection.run("CREATE TABLE \(partition) PARTITION OF \(table) FOR VALUES WITH (MODULUS 1, REMAINDER 0)")
        let target = try SQLTarget(connection: database.connection, dialect: database.dialect, layout: layout)
        try Self.directory(target)
        let before = try Self.keys(database)
        guard case .notLoaded(nil) = try target.loadSettingKeysAside(Chunks(Self.memberships, size: 30).next) else {
            Issue.record("a partitioned table loaded with its keys aside")
            return
        }
        #expect(try Self.keys(database) == before)
        #expect(try database.rows(relation, ["user_id"]).isEmpty)
    }
}

extension KeysAsideLoadTests {
    /// PostgreSQL refusing to set a key aside (here: another table's foreign key depends on
    /// the relation table's primary key, as a missing ownership would refuse the ALTER) rolls
    /// the transaction back, the log says why once, and the batch path loads every row.
    @Test func aKeyThePostgreSQLTargetWillNotDropLeavesThePhaseToTheBatchPath() throws {
        let (database, target, before) = try Self.prepared(.postgres)
        let relation = try #require(database.layout.membership?.table)
        let table = database.dialect.table(relation)
        let audit = database.dialect.table(relation + "_audit")
        try database.connection.run(
            "CREATE TABLE \(audit) (user_id varchar(64), group_id varchar(64), FOREIGN KEY (user_id, group_id) REFERENCES \(table))")
        let notices = NoticeLog()
        let outcome = try InitialLoad.run(
            [LoadPhase(name: "memberships", creates: false) { Chunks(Self.memberships, size: 30).next }],
            target: target, notice: { notices.add($0) })
        #expect(notices.texts.count == 1)
        #expect(notices.texts.first?.hasPrefix("the memberships were loaded batch by batch") == true)
        // dependent_objects_still_exist: the DROP was refused, nothing else.
        #expect(notices.texts.first?.hasSuffix("PostgreSQL error (SQLSTATE 2BP01) during execute") == true)
        #expect(outcome.parked.isEmpty && outcome.quarantined.isEmpty)
        #expect(try database.rows(relation, ["user_id"]).count == 100)
        #expect(try Self.keys(database) == before)
    }
}

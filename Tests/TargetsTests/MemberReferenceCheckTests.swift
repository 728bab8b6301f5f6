import Connectors
import Directory
import Testing

@testable import Targets

/// A MariaDB first load's member additions without the server's foreign key checks, and the
/// check of the relation table's keys made once afterwards: a membership whose user or group
/// the target lacks is taken out again and parked, as the server's own check would have made
/// it, and the keys stay declared and enforced.
@Suite struct MemberReferenceCheckTests {
    typealias Fixture = KeysAsideLoadTests

    /// A MariaDB target with the portal's tables (init-target DDL), groups g1...g3 and users
    /// u01...u40.
    static func prepared() throws -> (database: TargetUnderTest, target: SQLTarget, relation: String) {
        let database = try TargetUnderTest.mariaDB(try PortalLayout.make(suffix: PortalLayout.suffix()), allowsLocalInfile: true)
        let target = try database.createTablesAndOpen()
        try Fixture.directory(target)
        return (database, target, try #require(database.layout.membership?.table))
    }

    static let orphans: [ResourceOp] = [.addMember(groupID: "g1", userID: "u404"), .addMember(groupID: "g404", userID: "u02")]

    @Test func membersGoInUncheckedAndTheCheckParksThoseWithoutTheirUserOrGroup() throws {
        let (database, target, relation) = try Self.prepared()
        #expect(target.defersMemberReferenceChecks)
        let loaded = try target.load(Fixture.memberships + Self.orphans, checkingMemberReferencesLater: true)
        // The server took every row: its checks were off for the load.
        #expect(loaded.loadedInBulk)
        #expect(loaded.parked.isEmpty)
        #expect(try database.rows(relation, ["user_id"]).count == 102)

        let checked = try target.checkMemberReferences()
        #expect(checked.parked.map { "\($0.waitingFor)" }.sorted() == ["Group g404", "User u404"])
        #expect(checked.quarantined.isEmpty)
        let rows = try database.rows(relation, ["user_id", "group_id"])
        #expect(rows.count == 100)
        #expect(!rows.contains(["u404", "g1"]) && !rows.contains(["u02", "g404"]))
        #expect(rows.contains(["u02", "g1"]))
        // The keys are still there, and checked for everyone else.
        let table = database.dialect.table(relation)
        #expect(throws: (any Error).self) {
            try database.connection.run("INSERT INTO \(table) (user_id, group_id) VALUES ('nobody', 'g1')")
        }
        // Nothing left to find.
        #expect(try target.checkMemberReferences().parked.isEmpty)
    }

    @Test func withoutTheLaterCheckTheServerChecksEveryRow() throws {
        let (database, target, relation) = try Self.prepared()
        let loaded = try target.load(Fixture.memberships + Self.orphans)
        #expect(!loaded.loadedInBulk)
        #expect(loaded.parked.map { "\($0.waitingFor)" }.sorted() == ["Group g404", "User u404"])
        #expect(try database.rows(relation, ["user_id"]).count == 100)
    }

    /// The first load checks after its memberships phase whatever way each chunk went in: a
    /// load restarted after a crash finds the rows an earlier attempt wrote unchecked.
    @Test func aLoadRestartedAfterACrashTakesOutWhatAnEarlierAttemptLeftUnchecked() throws {
        let (database, target, relation) = try Self.prepared()
        let table = database.dialect.table(relation)
        try database.connection.run("SET SESSION foreign_key_checks = 0")
        try database.connection.run("INSERT INTO \(table) (user_id, group_id) VALUES ('u404', 'g1'), ('u01', 'g1')")
        try database.connection.run("SET SESSION foreign_key_checks = 1")
        let outcome = try InitialLoad.run(
            [LoadPhase(name: "memberships", creates: false) { Fixture.Chunks(Fixture.memberships, size: 30).next }],
            target: target)
        #expect(outcome.parked.map { "\($0.waitingFor.rawValue) \($0.waitingID)" } == ["User u404"])
        let rows = try database.rows(relation, ["user_id", "group_id"])
        #expect(rows.count == 100)
        #expect(!rows.contains(["u404", "g1"]))
    }

    @Test func aKeyTheCheckDoesNotCoverKeepsTheServersChecks() throws {
        let (database, _, relation) = try Self.prepared()
        let table = database.dialect.table(relation)
        let pairs = database.dialect.table(relation + "_pairs")
        try database.connection.run(
            "CREATE TABLE \(pairs) (user_id varchar(64) COLLATE utf8mb4_bin NOT NULL, group_id varchar(64) COLLATE utf8mb4_bin NOT NULL, PRIMARY KEY (user_id, group_id))"
        )
        defer {
            try? database.connection.run("SET SESSION foreign_key_checks = 0")
            try? database.connection.run("DROP TABLE IF EXISTS \(pairs)")
            try? database.connection.run("SET SESSION foreign_key_checks = 1")
        }
        try database.connection.run("ALTER TABLE \(table) ADD FOREIGN KEY (user_id, group_id) REFERENCES \(pairs) (user_id, group_id)")
        let reopened = try SQLTarget(connection: database.connection, dialect: database.dialect, layout: database.layout)
        #expect(!reopened.defersMemberReferenceChecks)
        // So the server checks each row, the pairs' key among them: the row it refuses is not
        // written whatever the batch path then makes of it.
        let loaded = try? reopened.load([.addMember(groupID: "g1", userID: "u01")], checkingMemberReferencesLater: true)
        #expect(loaded?.loadedInBulk != true)
        #expect(try database.rows(relation, ["user_id"]).isEmpty)
    }

    @Test func onlyMariaDBLoadsMembersUnchecked() throws {
        let sqlite = try TargetUnderTest.sqlite(try PortalLayout.make(suffix: PortalLayout.suffix()))
        #expect(try !sqlite.createTablesAndOpen().defersMemberReferenceChecks)
        let postgres = try TargetUnderTest.postgres(
            try PortalLayout.make(suffix: PortalLayout.suffix()), schema: "member_checks_\(PortalLayout.suffix())")
        #expect(try !postgres.createTablesAndOpen().defersMemberReferenceChecks)
    }
}

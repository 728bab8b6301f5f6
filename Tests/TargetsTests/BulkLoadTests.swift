import Directory
import SCIM
import SQLClients
import Testing
import TestSupport

@testable import Targets

/// The first load's bulk path (`LOAD DATA LOCAL`, `COPY`, prepared inserts) against each real
/// database: hostile values (tabs, newlines, backslashes, `\N`, NUL, quotes, unicode, NULL
/// against the empty string, a long value) come back as they were sent and exactly as the
/// upserts of `apply` store them; a batch whose rows are already there (a restarted load) or
/// that holds a row the table refuses is rolled back and applied with upserts, which
/// quarantine that row and load the rest.
@Suite struct BulkLoadTests {
    @Test func mariaDB() throws {
        try Self.scenario(
            try TargetUnderTest.mariaDB(try PortalLayout.make(suffix: PortalLayout.suffix()), allowsLocalInfile: true),
            reference: try TargetUnderTest.mariaDB(try PortalLayout.make(suffix: PortalLayout.suffix())),
            values: Self.hostile + [Self.nul])
    }

    @Test func postgres() throws {
        let (suffix, other) = (PortalLayout.suffix(), PortalLayout.suffix())
        // PostgreSQL text cannot hold NUL at all (it is refused either way).
        try Self.scenario(
            try TargetUnderTest.postgres(try PortalLayout.make(suffix: suffix), schema: "bulk_\(suffix)"),
            reference: try TargetUnderTest.postgres(try PortalLayout.make(suffix: other), schema: "bulk_\(other)"),
            values: Self.hostile)
    }

    @Test func sqlite() throws {
        // GRDB binds text up to its first NUL, the upserts as the bulk path.
        try Self.scenario(
            try TargetUnderTest.sqlite(try PortalLayout.make(suffix: PortalLayout.suffix())),
            reference: try TargetUnderTest.sqlite(try PortalLayout.make(suffix: PortalLayout.suffix())),
            values: Self.hostile)
    }

    /// A connection that does not allow `LOAD DATA LOCAL` (as a server with `local_infile`
    /// off refuses it): the load says why once and writes everything with upserts.
    @Test func mariaDBWithoutLocalInfileLoadsWithUpserts() throws {
        let database = try TargetUnderTest.mariaDB(try PortalLayout.make(suffix: PortalLayout.suffix()))
        let target = try ApplyNeverBlocksTests.createTables(database)
        let first = try target.load([.create(.user, Self.user(0, given: "a\tb", family: nil))])
        #expect(!first.loadedInBulk)
        #expect(target.bulkLoadRefusal != nil)
        let second = try target.load([.create(.user, Self.user(1, given: "c", family: ""))])
        #expect(!second.loadedInBulk)
        #expect(try database.rows(database.layout.users.table, ["id", "given_name"]) == [["u0", "a\tb"], ["u1", "c"]])
    }

    static let hostile = [
        "tab\there", "new\nline", "cr\rlf\r\n", "back\\slash\\", "\\N", "\\", "N", "quote ' \" ` ;",
        "ünïcødé 🎉 中文", "\\t is not a tab", "trailing\\", "", "NULL", "\\.", "\u{7f}\u{1b}[0m",
        String(repeating: "\\\t\n", count: 85),
    ]
    static let nul = "nul\u{0}byte"

    static func user(_ index: Int, given: String, family: String?, title: String? = nil) -> SCIMResource {
        var object = SCIMObject()
        object["schemas"] = .array([.string(SchemaURN.user)])
        object["id"] = .string("u\(index)")
        object["userName"] = .string("l\(index)\t\\N")
        var name: SCIMObject = ["givenName": .string(given)]
        if let family { name["familyName"] = .string(family) }
        object["name"] = .object(name)
        if let title { object["title"] = .string(title) }
        object["active"] = .bool(index % 2 == 0)
        return SCIMResource(object)
    }

    static func scenario(_ database: TargetUnderTest, reference: TargetUnderTest, values: [String]) throws {
        let target = try ApplyNeverBlocksTests.createTables(database)
        let upserted = try ApplyNeverBlocksTests.createTables(reference)
        let groups: [ResourceOp] = [
            .create(.group, Portal.group("g1", "Eng\tineering\\N")), .create(.group, Portal.group("g2", "🎉\n")),
        ]
        // NULL and the empty string alternate in family_name; `\N` as text is among the values.
        let users: [ResourceOp] = values.enumerated().map { index, value in
            .create(.user, user(index, given: value, family: index % 3 == 0 ? nil : index % 3 == 1 ? "" : value))
        }
        let members: [ResourceOp] = values.indices.map { .addMember(groupID: $0 % 2 == 0 ? "g1" : "g2", userID: "u\($0)") }
        for batch in [groups, users, members] {
            let loaded = try target.load(ResourceOp.ordered(batch))
            #expect(loaded.loadedInBulk, "\(TargetOperation(batch[0])) in bulk")
            #expect(loaded.quarantined.isEmpty && loaded.parked.isEmpty)
            try upserted.apply(ResourceOp.ordered(batch))
        }
        let layout = database.layout
        let tables = [
            (layout.users.table, reference.layout.users.table,
             ["id", "login", "given_name", "family_name", "mail", "title", "enabled", "employee_no"]),
            (try #require(layout.groups?.table), try #require(reference.layout.groups?.table), ["id", "title", "parent"]),
            (try #require(layout.membership?.table), try #require(reference.layout.membership?.table), ["group_id", "user_id"]),
        ]
        func raw(_ database: TargetUnderTest, _ table: String, _ columns: [String]) throws -> [[SQLValue]] {
            let quoted = columns.map(database.dialect.quote).joined(separator: ", ")
            return try database.connection.query(
                "SELECT \(quoted) FROM \(database.dialect.table(table)) ORDER BY \(quoted)", []
            ).map(\.values)
        }
        for (table, upsertedTable, columns) in tables {
            #expect(try raw(database, table, columns) == raw(reference, upsertedTable, columns), "\(columns)")
        }
        // As sent, value for value (ids sort as text: u0, u1, u10, ...).
        let stored = try raw(database, layout.users.table, ["id", "given_name", "family_name"])
        let sent = values.enumerated().map { index, value -> [SQLValue] in
            [.text("u\(index)"), .text(value), index % 3 == 0 ? .null : .text(index % 3 == 1 ? "" : value)]
        }.sorted { "\($0[0])" < "\($1[0])" }
        #expect(stored == sent)

        // A restarted load finds its rows there: the bulk path fails, upserts leave them as they are.
        let before = try raw(database, layout.users.table, tables[0].2)
        for batch in [groups, users, members] {
            let again = try target.load(ResourceOp.ordered(batch))
            #expect(!again.loadedInBulk)
            #expect(again.quarantined.isEmpty && again.parked.isEmpty)
        }
        #expect(try raw(database, layout.users.table, tables[0].2) == before)

        // A row the table refuses (title over 20 characters) is quarantined, the rest loads; a
        // membership naming a group the target lacks is parked.
        let refused = try target.load(ResourceOp.ordered([
            .create(.user, user(900, given: "ok", family: nil)),
            .create(.user, user(901, given: "refused", family: nil, title: "Principal Distinguished Engineer")),
            .create(.user, user(902, given: "ok too", family: "x")),
        ]))
        #expect(!refused.loadedInBulk)
        #expect(refused.quarantined.map { "\($0.subject.kind) \($0.subject.id)" } == ["User u901"])
        let parked = try target.load([.addMember(groupID: "g1", userID: "u900"), .addMember(groupID: "g9", userID: "u902")])
        #expect(!parked.loadedInBulk)
        #expect(parked.parked.map { "\($0.waitingFor)" } == ["Group g9"])
        let ids = try raw(database, layout.users.table, ["id"]).map { "\($0[0])" }
        #expect(ids.contains("\(SQLValue.text("u900"))") && ids.contains("\(SQLValue.text("u902"))"))
        #expect(!ids.contains("\(SQLValue.text("u901"))"))
    }
}

import Directory
import GRDB
import Testing

@testable import FeedSource

/// An upload stages a record by its digest alone when the user it describes is the feed's,
/// in the feed and applied without error with that digest: such records are neither mapped
/// nor kept whole, and the diff passes over them. Every other record is mapped as before.
@Suite struct UnchangedRecordsTests {
    /// (key, unchanged, has its resource) of each staged record of `run`, in key order.
    private func staged(_ feed: FeedHarness, _ run: Int64) throws -> [String] {
        try feed.store.read { db in
            try GRDB.Row.fetchAll(
                db, sql: "SELECT key, unchanged, resource IS NOT NULL AS whole FROM run_records WHERE run = ? ORDER BY key",
                arguments: [run]
            ).map { row in "\(row[0] as String) \((row[1] as Bool) ? "unchanged" : (row[2] as Bool) ? "whole" : "bare")" }
        }
    }

    @Test func anUnchangedUserIsStagedByItsDigestAndCostsNothing() throws {
        let feed = try FeedHarness()
        let ann = ("Ann", "Ann", "Lee", "ann@example.com", "Staff")
        let bob = ("bob", "Bob", "Roe", "bob@example.com", "Staff;Sales")
        let cy = ("cy", "Cy", "Poe", "cy@example.com", "")
        let first = try feed.upload(["users.tsv": Fixtures.tsv([ann, bob, cy])])
        #expect(try staged(feed, first.run) == ["ann whole", "bob whole", "cy whole"])
        _ = try feed.apply(first.run, approvedBy: "admin")

        // The same export, but bob's last name changed and cy's user was refused by the target.
        try feed.store.markError(userName: "cy")
        let second = try feed.upload(["users.tsv": Fixtures.tsv([ann, ("bob", "Bob", "Rowe", "bob@example.com", "Staff;Sales"), cy])])
        #expect(try staged(feed, second.run) == ["ann unchanged", "bob whole", "cy whole"])
        #expect(try feed.store.run(second.run)?.counts["records"] == 3)
        let ops = try feed.apply(second.run, approvedBy: "admin")
        #expect(
            ops.map { op -> String in
                switch op {
                case .patch(_, let id, _): "patch \(id)"
                case .create(_, let user): "create \(user.id ?? "")"
                case .addMember(let group, let user): "add \(user) to \(group)"
                default: "\(op)"
                }
            } == ["patch bob", "create cy"])
        let users = try feed.store.users()
        #expect(users.map(\.userName) == ["Ann", "bob", "cy"])
        #expect(users.allSatisfy { !$0.error && $0.inFeed })
        // The unchanged user keeps what it had: its resource, groups and last raw record.
        let annBefore = try #require(users.first)
        #expect(annBefore.groups == ["g-staff"])
        #expect(annBefore.resource?["name"]?.objectValue?["familyName"] == .string("Lee"))
        #expect(annBefore.lastChangedRun == first.run)

        // Nothing changed at all: every record staged by its digest, nothing planned.
        let third = try feed.upload(["users.tsv": Fixtures.tsv([("ann", "Ann", "Lee", "ann@example.com", "Staff"), ("bob", "Bob", "Rowe", "bob@example.com", "Staff;Sales"), cy])])
        // The userName's case is not in the digest's fields' values here ("Ann" and "ann"
        // differ), so ann is mapped whole; bob and cy are unchanged.
        #expect(try staged(feed, third.run) == ["ann whole", "bob unchanged", "cy unchanged"])
        try feed.store.start(third.run, approvedBy: "admin", managedGroups: ["g-staff", "g-sales"])
        #expect(try feed.store.run(third.run)?.planned == 1)
    }

    /// Required fields are checked before the digest is trusted (a blank one skips the record
    /// with its problem), and a duplicate userName is reported whichever way its first record
    /// was staged.
    @Test func requiredFieldsAndDuplicatesAreCheckedBeforeTheDigestIsTrusted() throws {
        let control = try FeedControl.decode(
            json: Array(
                """
                {
                  "files": [ { "name": "users.tsv", "format": "tsv" } ],
                  "attributes": { "userName": "login", "name.givenName": "first", "title": "dept" },
                  "required": ["login", "dept"]
                }
                """.utf8), file: "control.json")
        let feed = try FeedHarness(control: control)
        let first = try feed.upload(["users.tsv": "login\tfirst\tdept\nann\tAnn\tHR\nbob\tBob\tIT\n"])
        _ = try feed.apply(first.run, approvedBy: "admin")
        let second = try feed.upload(["users.tsv": "login\tfirst\tdept\nann\tAnn\t \nbob\tBob\tIT\nBOB\tBob\tIT\n"])
        #expect(try staged(feed, second.run) == ["ann bare", "bob unchanged"])
        let log = try feed.store.read { db in
            try String.fetchAll(db, sql: "SELECT reason FROM run_log WHERE run = ? ORDER BY seq", arguments: [second.run])
        }
        #expect(log.count == 2)
        #expect(log.first?.contains("dept") == true)
        #expect(log.last?.contains("line 3") == true)
        let ops = try feed.apply(second.run, approvedBy: "admin")
        #expect(ops.isEmpty)
        #expect(try feed.store.users().map { "\($0.userName) \($0.error)" } == ["ann true", "bob false"])
    }
}

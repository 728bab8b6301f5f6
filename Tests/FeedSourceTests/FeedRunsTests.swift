import Directory
import Foundation
import SCIM
import Testing

@testable import FeedSource

/// Whole runs through the store: upload, safety rule, plan, apply, and the users' state.
@Suite struct FeedRunsTests {
    private let run1 = Fixtures.tsv([
        ("ann", "Ann", "Lee", "ann@example.com", "Staff"),
        ("bob", "Bob", "Roe", "bob@example.com", "Staff;Sales"),
        ("carol", "Carol", "Poe", "carol@example.com", "Staff"),
    ])

    /// Three runs: the first creates, the second updates, blocks and creates, the third
    /// unblocks. carol was in the target before the feed: she is never touched.
    @Test func threeRunsAddUpdateBlockAndUnblock() throws {
        let feed = try FeedHarness()
        let targetHas = { (userName: String) -> String? in userName == "carol" ? "t-carol" : nil }

        // Run 1: the first run waits for a person.
        let first = try feed.upload(["users.tsv": run1])
        #expect(
            first.outcome
                == .held(reason: "this is the first run: nothing to compare it with, so it waits for approval"))
        #expect(
            throws: FeedStoreError.held(
                run: first.run, reason: "this is the first run: nothing to compare it with, so it waits for approval")
        ) {
            try feed.store.start(first.run, managedGroups: ["g-staff", "g-sales"])
        }
        let ops1 = try feed.apply(first.run, approvedBy: "admin", existing: targetHas)
        let ann1 = try #require(try feed.store.user(named: "ann")?.resource)
        let bob1 = try #require(try feed.store.user(named: "BOB")?.resource)
        // One chunk of two users: creates first, then memberships (ResourceOp.ordered).
        #expect(
            ops1 == [
                .create(.user, ann1), .create(.user, bob1),
                .addMember(groupID: "g-staff", userID: "ann"), .addMember(groupID: "g-sales", userID: "bob"),
                .addMember(groupID: "g-staff", userID: "bob"),
            ])
        #expect(try feed.store.user(named: "carol")?.owned == false)
        let r1 = try #require(try feed.store.run(first.run))
        #expect(r1.state == .complete)
        #expect(r1.approvedBy == "admin")
        #expect(r1.counts == ["records": 3, "create": 2, "foreign": 1])
        #expect(r1.errors == 0)
        #expect(
            try feed.store.log(of: first.run).map(\.reason) == [
                "users.tsv: line 4: the target already has a user with this userName that the feed did not create; it is left alone (the feed never adopts users)"
            ])

        // Run 2: ann renamed and moved out of Staff into an unmanaged group only, bob gone,
        // carol gone (not the feed's: nothing happens), dave new. The file is much smaller.
        let second = try feed.upload([
            "users.tsv": Fixtures.tsv([
                ("ann", "Annie", "Lee", "ann@example.com", "Unmanaged"),
                ("dave", "Dave", "Doe", "dave@example.com", ""),
            ])
        ])
        guard case .held(let reason) = second.outcome else {
            Issue.record("a file half the size applied by itself")
            return
        }
        #expect(reason.hasPrefix("users.tsv is "))
        #expect(reason.contains("% smaller than in run \(first.run)"))
        let ops2 = try feed.apply(second.run, approvedBy: "admin", existing: targetHas)
        let dave = try #require(try feed.store.user(named: "dave")?.resource)
        let givenName = try AttributePath.parse("name.givenName")
        #expect(
            ops2 == [
                .removeMember(groupID: "g-staff", userID: "ann"),
                .patch(.user, id: "ann", [PatchOperation(op: .replace, path: givenName, value: "Annie")]),
                .deactivate(userID: "bob"),
                .create(.user, dave),
            ])
        #expect(try feed.store.user(named: "bob")?.inFeed == false)
        #expect(try feed.store.user(named: "bob")?.lastChangedRun == second.run)

        // Run 3: bob is back, unchanged; nothing else changed.
        feed.rule = SafetyRule(ratio: 3)
        let third = try feed.upload([
            "users.tsv": Fixtures.tsv([
                ("ann", "Annie", "Lee", "ann@example.com", "Unmanaged"),
                ("bob", "Bob", "Roe", "bob@example.com", "Staff;Sales"),
                ("dave", "Dave", "Doe", "dave@example.com", ""),
            ])
        ])
        #expect(third.outcome == .ready)
        let ops3 = try feed.apply(third.run, existing: targetHas)
        #expect(ops3 == [.reactivate(userID: "bob")])
        let bob = try #require(try feed.store.user(named: "bob"))
        #expect(bob.inFeed && bob.owned && !bob.error)
        #expect(bob.groups == ["g-sales", "g-staff"])
        #expect(try feed.store.run(third.run)?.counts == ["records": 3, "unblock": 1])
    }

    @Test func sameNamesAndSizesApplyByThemselves() throws {
        let feed = try FeedHarness()
        let first = try feed.upload(["users.tsv": run1])
        _ = try feed.apply(first.run, approvedBy: "admin")
        let again = try feed.upload(["users.tsv": run1.replacingOccurrences(of: "Ann\t", with: "Anna\t")])
        #expect(again.outcome == .ready)
        #expect(try feed.apply(again.run).count == 1)
    }

    /// The first approval is the one on record; another before the run starts changes nothing.
    @Test func aSecondApprovalKeepsTheFirstApprover() throws {
        let feed = try FeedHarness()
        let first = try feed.upload(["users.tsv": run1])
        #expect(try feed.store.approve(first.run, by: "carol").approvedBy == "carol")
        #expect(try feed.store.approve(first.run, by: "mallory").approvedBy == "carol")
        #expect(try feed.store.run(first.run)?.approvedBy == "carol")
    }

    /// An export of the usual size whose lines no longer read as records (here every data
    /// line lost its tabs) would block everyone in it: the run waits for a person instead.
    @Test func aFileOfTheUsualSizeThatReadsAsNoRecordsIsHeld() throws {
        let feed = try FeedHarness()
        let first = try feed.upload(["users.tsv": run1])
        _ = try feed.apply(first.run, approvedBy: "admin")
        #expect(try feed.store.run(first.run)?.files.first?.records == 3)
        let lines = run1.split(separator: "\n", omittingEmptySubsequences: false)
        let broken = ([String(lines[0])] + lines.dropFirst().map { $0.replacingOccurrences(of: "\t", with: " ") })
            .joined(separator: "\n")
        #expect(broken.utf8.count == run1.utf8.count)
        let second = try feed.upload(["users.tsv": broken])
        #expect(second.outcome == .held(reason: "users.tsv has 100% fewer records than in run \(first.run) (0, was 3)"))
        #expect(try feed.store.run(second.run)?.files.first?.records == 0)
    }

    @Test func badRecordsAreLoggedWithTheirPlaceAndTheRestApplies() throws {
        let feed = try FeedHarness()
        feed.rule = SafetyRule(firstRunNeedsApproval: false)
        let text =
            "login\tfirst\tlast\tmail\tgroups\n"
            + "ann\tAnn\tLee\tann@example.com\tStaff\n"
            + "bob\tBob\tRoe\t\tStaff\n"  // no mail: required
            + "broken line\n"
            + "ANN\tAnn\tTwo\tann2@example.com\t\n"  // duplicate userName, ignoring case
            + "cy\tCy\tOh\tcy@example.com\t\n"
        let upload = try feed.upload(["users.tsv": text])
        #expect(upload.outcome == .ready)
        let log = try feed.store.log(of: upload.run)
        #expect(log.map(\.location) == ["users.tsv: line 3", "users.tsv: line 4", "users.tsv: line 5"])
        #expect(log.map(\.field) == ["mail", nil, nil])
        #expect(
            log[2].reason
                == "users.tsv: line 5: the same userName as users.tsv: line 2 (compared ignoring case); this record is skipped"
        )
        let run = try #require(try feed.store.run(upload.run))
        #expect(run.errors == 3)
        #expect(run.counts == ["records": 5, "skipped": 3])
        let ops = try feed.apply(upload.run)
        #expect(ops.filter { if case .create = $0 { true } else { false } }.count == 2)
        // bob's record named him: he is known as skipped (no user was created for him).
        #expect(try feed.store.user(named: "bob") == nil)
    }

    @Test func aMissingOrUnreadableFileFailsTheRunInsteadOfBlockingEveryone() throws {
        let feed = try FeedHarness()
        let missing = try feed.upload([:])
        #expect(missing.outcome == .failed(reason: "users.tsv was not uploaded; the control file lists it"))
        #expect(try feed.store.run(missing.run)?.state == .failure)

        let json = try FeedControl.decode(
            json: Array(
                """
                { "files": [ { "name": "users.json", "format": "json" } ], "attributes": { "userName": "login" } }
                """.utf8), file: "control.json")
        let other = try FeedHarness(control: json)
        let truncated = try other.upload(["users.json": "[ {\"login\": \"ann\"}, {\"login\": "])
        guard case .failed = truncated.outcome else {
            Issue.record("a truncated upload became ready")
            return
        }
        let failed = try #require(try other.store.run(truncated.run))
        #expect(failed.failureReason?.contains("not closed") == true)
        #expect(failed.counts == ["records": 1])
        #expect(failed.errors == 1)
    }

    @Test func illegalStepsAreRefusedWithTheRunsState() throws {
        let feed = try FeedHarness()
        let upload = try feed.upload(["users.tsv": run1])
        _ = try feed.apply(upload.run, approvedBy: "admin")
        #expect(throws: FeedStoreError.illegal(IllegalRunTransition(run: upload.run, state: .complete, event: .cancel)))
        {
            try feed.store.cancel(upload.run)
        }
        let next = try feed.store.createRun(startedBy: "hr-export")
        #expect(throws: FeedStoreError.runInProgress(next)) { try feed.store.createRun(startedBy: "someone") }
        try feed.store.cancel(next)
        #expect(try feed.store.run(next)?.state == .cancelled)
    }

    /// An upload of three files in three formats and charsets: each file's records, one
    /// duplicate across files, memberships by id from a JSON list and from repeated XML
    /// elements.
    @Test func anUploadOfSeveralFormats() throws {
        let control = try FeedControl.decode(
            json: Array(
                """
                {
                  "files": [
                    { "name": "office.tsv", "format": "tsv", "charset": "windows-1252", "separator": ";" },
                    { "name": "field.xml", "format": "xml-elements", "record": "person" },
                    { "name": "contractors.json", "format": "json" }
                  ],
                  "attributes": { "userName": "login", "name.givenName": "first" },
                  "required": ["first"],
                  "membership": { "field": "group", "by": "id" },
                  "managedGroups": [ { "id": "g1" }, { "id": "g2" } ]
                }
                """.utf8), file: "control.json")
        let feed = try FeedHarness(control: control)
        feed.rule = SafetyRule(firstRunNeedsApproval: false)
        let run = try feed.store.createRun(startedBy: "hr-export")
        try feed.area.write(
            Array("login;first;group\nrene;Ren".utf8) + [0xE9] + Array(";g1\n".utf8), named: "office.tsv", in: run)
        try feed.area.write(
            Array(
                """
                <people><person><login>ola</login><first>Øla</first><group>g1</group><group>g2</group></person>
                <person><login>RENE</login><first>René</first></person></people>
                """.utf8), named: "field.xml", in: run)
        try feed.area.write(
            Array(
                """
                [{"login": "kim", "first": "Kim", "group": ["g2", "g9"]}, {"login": "lee"}]
                """.utf8), named: "contractors.json", in: run)
        #expect(try feed.ingest.finishUpload(run) == .ready)
        #expect(
            try feed.store.log(of: run).map(\.location) == [
                "field.xml: record 2 (line 2)", "contractors.json: record 2 (line 1)",
            ])
        let ops = try feed.apply(run, maxUsers: 10)
        let created = ops.compactMap { op -> String? in
            if case .create(_, let r) = op { r["name"]?.objectValue?["givenName"]?.stringValue } else { nil }
        }
        #expect(created == ["Kim", "Øla", "René"])
        #expect(
            ops.filter { if case .addMember = $0 { true } else { false } } == [
                .addMember(groupID: "g2", userID: "kim"), .addMember(groupID: "g1", userID: "ola"),
                .addMember(groupID: "g2", userID: "ola"), .addMember(groupID: "g1", userID: "rene"),
            ])
    }

    /// Reading interrupted (a crash while `uploading`): reading again starts clean.
    @Test func readingAnUploadAgainStartsClean() throws {
        let feed = try FeedHarness()
        let run = try feed.store.createRun(startedBy: "hr-export")
        try feed.area.write(Array(run1.utf8), named: "users.tsv", in: run)
        let mapper = FeedUserMapper(control: feed.control)
        let ann = try mapper.user(
            from: FeedRecord(
                location: RecordLocation(file: "users.tsv", line: 2),
                fields: [("login", .text("ann")), ("mail", .text("ann@example.com"))])
        ).get()
        try feed.store.stage(run: run, [.user(ann)])
        #expect(
            try feed.ingest.finishUpload(run)
                == .held(reason: "this is the first run: nothing to compare it with, so it waits for approval"))
        #expect(try feed.store.log(of: run).isEmpty)
        #expect(try feed.store.run(run)?.counts == ["records": 3])
    }

    /// More users than one page of the merge-join (500), so that the diff crosses page
    /// boundaries on both sides: every third user leaves, every fifth changes.
    @Test func aDirectoryLargerThanAPage() throws {
        let feed = try FeedHarness()
        feed.rule = SafetyRule(ratio: 10, firstRunNeedsApproval: false)
        let count = 1_234
        func row(_ i: Int, changed: Bool = false) -> (String, String, String, String, String) {
            ("user\(i)", changed ? "Changed\(i)" : "First\(i)", "Last", "u\(i)@example.com", i % 2 == 0 ? "Staff" : "")
        }
        let first = try feed.upload(["users.tsv": Fixtures.tsv((0..<count).map { row($0) })])
        let ops1 = try feed.apply(first.run, maxUsers: 97)
        #expect(ops1.count == count + (count + 1) / 2)
        let kept = (0..<count).filter { $0 % 3 != 0 }
        let second = try feed.upload(["users.tsv": Fixtures.tsv(kept.map { row($0, changed: $0 % 5 == 0) })])
        #expect(second.outcome == .ready)
        let ops2 = try feed.apply(second.run, maxUsers: 97)
        let blocked = (0..<count).filter { $0 % 3 == 0 }.count
        let changed = kept.filter { $0 % 5 == 0 }.count
        #expect(try feed.store.run(second.run)?.counts == ["records": kept.count, "block": blocked, "update": changed])
        #expect(ops2.count == blocked + changed)
        #expect(try feed.store.users().filter { !$0.inFeed }.count == blocked)
    }

    @Test func userNamesMatchIgnoringCaseAndUnicodeComposition() throws {
        let feed = try FeedHarness()
        feed.rule = SafetyRule(firstRunNeedsApproval: false)
        let composed = "jos\u{E9}"
        let decomposed = "JOSE\u{301}"
        let upload = try feed.upload([
            "users.tsv": Fixtures.tsv([
                (composed, "A", "B", "a@example.com", ""), (decomposed, "C", "D", "c@example.com", ""),
            ])
        ])
        let log = try feed.store.log(of: upload.run)
        #expect(log.map(\.location) == ["users.tsv: line 3"])
        #expect(log.first?.reason.contains("the same userName as users.tsv: line 2") == true)
    }

    /// An export that writes one JSON file per user: the control file names them by a
    /// pattern, and the safety rule compares the pattern's total size.
    @Test func aFilePerUserByPattern() throws {
        let control = try FeedControl.decode(
            json: Array(
                """
                { "files": [ { "name": "people-*.json", "format": "json", "shape": "record" } ],
                  "attributes": { "userName": "login" } }
                """.utf8), file: "control.json")
        let feed = try FeedHarness(control: control)
        let first = try feed.upload([
            "people-ann.json": "{\"login\": \"ann\"}", "people-bob.json": "{\"login\": \"bob\"}",
            "readme.txt": "not a record",
        ])
        #expect(
            first.outcome
                == .held(reason: "this is the first run: nothing to compare it with, so it waits for approval"))
        let files = try #require(try feed.store.run(first.run)?.files)
        #expect(files.map(\.name) == ["people-*.json"])
        #expect(files.map(\.size) == [32])
        let ops = try feed.apply(first.run, approvedBy: "admin")
        #expect(ops.count == 2)
        let second = try feed.upload(["people-ann.json": "{\"login\": \"ann\"}"])
        #expect(
            second.outcome == .held(reason: "people-*.json is 50% smaller than in run \(first.run) (16 bytes, was 32)"))
        try feed.store.cancel(second.run)
        let none = try feed.upload(["other.json": "{}"])
        #expect(none.outcome == .failed(reason: "no uploaded file matches people-*.json; the control file lists it"))
    }
}

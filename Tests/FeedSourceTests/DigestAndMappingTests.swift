import SCIM
import Testing

@testable import FeedSource

@Suite struct DigestAndMappingTests {
    private func record(_ fields: [(String, FeedValue)]) -> FeedRecord {
        FeedRecord(
            location: RecordLocation(file: "users.tsv", line: 2), fields: fields.map { (name: $0.0, value: $0.1) })
    }

    @Test func theDigestIgnoresFieldOrderAndUnusedFields() throws {
        let control = try Fixtures.control()
        let a = record([("login", .text("ann")), ("first", .text("Ann")), ("mail", .text("ann@example.com"))])
        let b = record([
            ("mail", .text("ann@example.com")), ("badge", .text("1234")), ("first", .text("Ann")),
            ("login", .text("ann")),
        ])
        #expect(RecordDigest.of(a, control: control) == RecordDigest.of(b, control: control))
        #expect(RecordDigest.of(a, control: control).count == 64)
    }

    /// A mapper starts every record's digest from one copy of the control file's: records
    /// mapped one after another still get the digests each gets alone.
    @Test func aMappersDigestsEqualTheDigestsOfEachRecordAlone() throws {
        let control = try Fixtures.control()
        let mapper = FeedUserMapper(control: control)
        let records = ["ann", "bob", "cy"].map { login in
            record([("login", .text(login)), ("first", .text(login.uppercased())), ("mail", .text("\(login)@example.com"))])
        }
        let digests = try records.map { try mapper.user(from: $0).get().digest }
        #expect(digests == records.map { RecordDigest.of($0, control: control) })
        #expect(Set(digests).count == 3)
    }

    @Test func theDigestChangesWithAValueTheFieldBoundariesOrTheMapping() throws {
        let control = try Fixtures.control()
        let base = RecordDigest.of(record([("first", .text("ab")), ("last", .text("c"))]), control: control)
        #expect(RecordDigest.of(record([("first", .text("ab")), ("last", .text("d"))]), control: control) != base)
        #expect(RecordDigest.of(record([("first", .text("a")), ("last", .text("bc"))]), control: control) != base)
        #expect(RecordDigest.of(record([("first", .list(["ab"])), ("last", .text("c"))]), control: control) != base)
        var remapped = control
        remapped.attributes[1].field = "given"
        #expect(RecordDigest.of(record([("first", .text("ab")), ("last", .text("c"))]), control: remapped) != base)
    }

    /// The same value across runs gives the same digest: a fixed known value guards against
    /// the encoding changing by accident (every user would then be updated once).
    @Test func theDigestIsStableAcrossBuilds() throws {
        let control = FeedControl(
            files: [],
            attributes: [FeedAttribute(pathText: "userName", path: try AttributePath.parse("userName"), field: "u")])
        let digest = RecordDigest.of(record([("u", .text("ann"))]), control: control)
        #expect(digest == RecordDigest.of(record([("u", .text("ann"))]), control: control))
        #expect(digest == "0b333144a8699ae28c002734707bc364f5c6a0084de5fcf3fb189d164c3dac1d")
    }

    @Test func aRecordBecomesAUserWithManagedGroupsOnly() throws {
        let mapper = FeedUserMapper(control: try Fixtures.control())
        let user = try mapper.user(
            from: record([
                ("login", .text(" Ann.Lee ")), ("first", .text("Ann")), ("last", .text("Lee")),
                ("mail", .text("ann@example.com")), ("groups", .text("staff; Unmanaged ;Sales;;")),
            ])
        ).get()
        #expect(user.userName == "Ann.Lee")
        #expect(user.key == "ann.lee")
        #expect(user.groups == ["g-sales", "g-staff"])
        #expect(user.resource.id == "Ann.Lee")
        #expect(user.resource["userName"] == .string("Ann.Lee"))
        #expect(
            user.resource["name"]
                == .object(SCIMObject([("givenName", .string("Ann")), ("familyName", .string("Lee"))])))
        #expect(
            user.resource["emails"]
                == .array([.object(SCIMObject([("type", .string("work")), ("value", .string("ann@example.com"))]))]))
    }

    @Test func aMissingRequiredFieldSkipsTheRecordNamingTheField() throws {
        let mapper = FeedUserMapper(control: try Fixtures.control())
        let result = mapper.user(from: record([("login", .text("ann")), ("mail", .text("  "))]))
        guard case .failure(let problem) = result else {
            Issue.record("the record was accepted")
            return
        }
        #expect(problem.field == "mail")
        #expect(problem.reason == .missingField)
        #expect(
            problem.description
                == "users.tsv: line 2: field \"mail\": required field is missing or empty; the record is skipped")
    }
}

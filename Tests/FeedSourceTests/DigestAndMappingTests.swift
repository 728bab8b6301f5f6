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

    /// A list and fields out of name order, pinned the same way. The value was worked out
    /// apart from this code (Python's hashlib over the length-prefixed encoding above).
    @Test func aListsDigestIsStableAcrossBuilds() throws {
        let control = FeedControl(
            files: [],
            attributes: [
                FeedAttribute(pathText: "userName", path: try AttributePath.parse("userName"), field: "u"),
                FeedAttribute(pathText: "title", path: try AttributePath.parse("title"), field: "g"),
            ])
        let digest = RecordDigest.of(record([("u", .text("ann")), ("g", .list(["x", "y"]))]), control: control)
        #expect(digest == "97e801b2bb965ad0dbbff659ad80c30dfaead6473239e134f0200a544099cf2a")
    }

    /// The membership field is cut as the standard library's split cuts it, on the fast path
    /// and off it: empty parts, non-ASCII text, separators of several characters, and a line
    /// break inside `\r\n` (one character, so not a place to cut).
    @Test func groupNamesAreCutAsSplitCutsThem() {
        let texts = [
            "", ";", ";;", "Staff", "Staff;Sales", ";Staff;", "Staff; Sales ;", "Équipe;Ventes", "a;\u{301}b",
            "x\r\ny\nz", "a||b|c", "Ünï;;cödé",
        ]
        for separator in [";", "|", "||", "\n", "é"] {
            for text in texts {
                #expect(
                    FeedUserMapper.parts(of: text, separatedBy: separator)
                        == text.split(separator: separator, omittingEmptySubsequences: false),
                    "\(text.debugDescription) cut at \(separator.debugDescription)")
            }
        }
    }

    /// Blank values are told apart byte by byte for ASCII and by character otherwise.
    @Test func blanknessFollowsTheCharactersWhitespace() {
        for text in ["", " ", "\t \r\n", "\u{0B}\u{0C}", "\u{A0}", " \u{3000} ", "\u{1C}", "a", " a ", "\u{85}"] {
            #expect(FeedValue.text(text).isBlank == text.allSatisfy(\.isWhitespace), "\(text.debugDescription)")
        }
        #expect(FeedValue.list([" ", "\t"]).isBlank)
        #expect(!FeedValue.list([" ", "x"]).isBlank)
    }

    /// A userName's key: ASCII is lowercased; other text composed first (NFC), then lowercased.
    @Test func keysFoldCaseAndComposition() {
        #expect(FeedUser.key("Ann.Smith") == "ann.smith")
        #expect(FeedUser.key("Jose\u{301}") == FeedUser.key("JOSÉ"))
        #expect(FeedUser.key("Jose\u{301}").unicodeScalars.count == 4)
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

import Config
import SCIM
import Testing

@testable import FeedSource

@Suite struct ControlFileTests {
    private func decode(_ json: String) throws(ConfigError) -> FeedControl {
        try FeedControl.decode(json: Array(json.utf8), file: "control.json")
    }

    /// The messages of a control file that must fail.
    private func issues(_ json: String) -> [String] {
        do {
            _ = try decode(json)
            Issue.record("the control file was accepted")
            return []
        } catch {
            return error.description.split(separator: "\n").map(String.init)
        }
    }

    @Test func aCompleteControlFileDecodes() throws {
        let control = try decode(
            """
            {
              "files": [
                { "name": "users.tsv", "format": "tsv", "separator": ";", "charset": "Windows-1252" },
                { "name": "more.json", "format": "json", "shape": "record" },
                { "name": "staff.xml", "format": "xml-elements", "record": "person" },
                { "name": "attrs.xml", "format": "xml-attributes", "record": "user" }
              ],
              "attributes": { "userName": "login", "emails[type eq \\"work\\"].value": "mail" },
              "required": ["mail"],
              "membership": { "field": "groups", "by": "id", "separator": "," },
              "managedGroups": [ { "id": "g1" } ]
            }
            """)
        #expect(
            control.files == [
                FeedFileSpec(name: "users.tsv", format: .tsv(separator: ";", charset: .windows1252)),
                FeedFileSpec(name: "more.json", format: .json(.record)),
                FeedFileSpec(name: "staff.xml", format: .xmlElements(record: "person")),
                FeedFileSpec(name: "attrs.xml", format: .xmlAttributes(record: "user")),
            ])
        #expect(control.userNameField == "login")
        #expect(control.attributes.map(\.field) == ["login", "mail"])
        let workMail = try AttributePath.parse("emails[type eq \"work\"].value")
        #expect(control.attributes[1].path == workMail)
        #expect(control.requiredFields == ["mail"])
        #expect(control.membership == FeedMembershipField(field: "groups", naming: .id, separator: ","))
        #expect(control.managedGroups == [ManagedGroup(id: "g1")])
    }

    @Test func defaultsAreTabUTF8AndArrays() throws {
        let control = try decode(
            """
            { "files": [ { "name": "a.tsv", "format": "tsv" }, { "name": "b.json", "format": "json" } ],
              "attributes": { "userName": "u" } }
            """)
        #expect(control.files.map(\.format) == [.tsv(separator: "\t", charset: .utf8), .json(.array)])
        #expect(control.membership == nil)
    }

    @Test func everyMistakeNamesTheFileTheKeyPathAndTheFix() {
        let lines = issues(
            """
            {
              "files": [
                { "name": "users.tsv", "format": "tsvv" },
                { "name": "b.json", "format": "json", "separator": ";" },
                { "name": "c.xml", "format": "xml-elements" },
                { "name": "d.tsv", "format": "tsv", "charset": "ebcdic" }
              ],
              "attributes": { "name.givenName": "first", "id": "empno", "active": "on", "emails[type eq": "x" },
              "required": ["mial"],
              "membership": { "field": "groups", "by": "name" },
              "manageGroups": []
            }
            """)
        let expected = [
            "control.json: unknown key \"manageGroups\" (did you mean \"managedGroups\"?)",
            "control.json: files[0].format: unknown format \"tsvv\" (did you mean \"tsv\"?)",
            "control.json: files[1].separator: \"separator\" is for tsv files only",
            "control.json: files[2]: missing \"record\"",
            "control.json: files[3].charset: unknown charset \"ebcdic\"; allowed: utf-8, iso-8859-1, windows-1252, utf-16",
            "control.json: attributes.id: the feed names users by userName",
            "control.json: attributes.active: the feed sets active itself",
            "control.json: attributes.\"emails[type eq\": not a SCIM attribute path",
            "control.json: membership.by: \"id\" (the field holds group ids) or \"displayName\"",
        ]
        for prefix in expected {
            #expect(lines.contains { $0.hasPrefix(prefix) }, "missing \(prefix) in \(lines)")
        }
    }

    @Test func userNameMustBeMappedAndRequiredFieldsMustBeUsed() {
        let lines = issues(
            """
            { "files": [ { "name": "a.tsv", "format": "tsv" } ],
              "attributes": { "name.givenName": "first" }, "required": ["first"] }
            """)
        #expect(
            lines == [
                "control.json: attributes: no mapping for \"userName\": add \"userName\": \"<the field holding the login>\""
            ])
        let typo = issues(
            """
            { "files": [ { "name": "a.tsv", "format": "tsv" } ],
              "attributes": { "userName": "login", "title": "job" }, "required": ["jbo"] }
            """)
        #expect(typo.count == 1)
        #expect(
            typo.first?.hasPrefix("control.json: required[0]: \"jbo\" is not a field of attributes or membership")
                == true)
        #expect(typo.first?.contains("did you mean \"job\"?") == true)
    }

    @Test func membershipNeedsManagedGroupsWithNames() {
        let none = issues(
            """
            { "files": [ { "name": "a.tsv", "format": "tsv" } ], "attributes": { "userName": "u" },
              "membership": { "field": "g" } }
            """)
        #expect(none.count == 1)
        #expect(
            none.first?.hasPrefix(
                "control.json: managedGroups: membership names groups, but no managed group is declared") == true)
        let unnamed = issues(
            """
            { "files": [ { "name": "a.tsv", "format": "tsv" } ], "attributes": { "userName": "u" },
              "membership": { "field": "g", "by": "displayName" }, "managedGroups": [ { "id": "g1" } ] }
            """)
        #expect(
            unnamed == [
                "control.json: managedGroups[0]: membership names groups by displayName, so each managed group needs a \"displayName\""
            ])
    }

    @Test func filesMustBeNamedOnceWithoutDirectories() {
        let lines = issues(
            """
            { "files": [ { "name": "../a.tsv", "format": "tsv" }, { "name": "b.tsv", "format": "tsv" }, { "name": "b.tsv", "format": "tsv" } ],
              "attributes": { "userName": "u" } }
            """)
        #expect(lines.contains("control.json: files[0].name: a file name, without directories"))
        #expect(
            lines.contains("control.json: files[2]: \"b.tsv\" is listed twice; each file of an upload has its own name")
        )
    }

    @Test func invalidJSONIsReportedForTheWholeFile() {
        let lines = issues("{ \"files\": [ }")
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("control.json: not valid JSON") == true)
    }

    @Test func aPatternMatchesFileNames() {
        let spec = FeedFileSpec(name: "people-*.json", format: .json(.record))
        #expect(spec.isPattern)
        #expect(spec.matches("people-ann.json"))
        #expect(spec.matches("people-.json"))
        #expect(!spec.matches("people.json"))
        #expect(!spec.matches("staff-ann.json"))
        #expect(!spec.matches("people-ann.json.bak"))
        #expect(FeedFileSpec(name: "a*b*c", format: .json(.array)).matches("aXbYc"))
        #expect(!FeedFileSpec(name: "a*b*c", format: .json(.array)).matches("aXcYb"))
        #expect(FeedFileSpec(name: "users.tsv", format: .json(.array)).matches("users.tsv"))
        #expect(!FeedFileSpec(name: "users.tsv", format: .json(.array)).matches("users.tsvx"))
    }

    @Test func loadingFromAFileNamesThePath() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("control.json", Fixtures.controlJSON)
        #expect(try FeedControl.load(path: path) == (try Fixtures.control()))
        #expect(
            throws: ConfigError(
                file: dir.file("missing.json"),
                issues: [ConfigIssue(keyPath: "", message: "cannot read the file: check the path and its permissions")])
        ) { try FeedControl.load(path: dir.file("missing.json")) }
    }
}

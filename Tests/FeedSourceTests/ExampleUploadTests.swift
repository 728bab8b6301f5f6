import Config
import Foundation
import SCIM
import Testing

@testable import FeedSource

/// config/feed/: the control file and the sample upload (every format: a TSV file in
/// windows-1252, a JSON array, JSON files of one record each, XML records as elements and as
/// attributes), read as `scimsync feed upload` reads them.
@Suite struct ExampleUploadTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    @Test func theSampleUploadReadsWithoutProblems() throws {
        let dir = try TemporaryDirectory()
        let control = try FeedControl.load(path: Self.root + "/config/feed/control.json")
        let site = try FeedSite(
            settings: FeedSourceConfig(controlPath: "control.json", control: control), pipeline: "hr",
            offsetsPath: dir.file("offsets.db"))
        let upload = Self.root + "/config/feed/upload"
        let names = try FileManager.default.contentsOfDirectory(atPath: upload).sorted()
        #expect(names == ["contractors.json", "interns.xml", "people-ines.json", "people-omar.json", "sites.xml", "staff.tsv"])
        let staged = try site.stage(files: names.map { .path(upload + "/" + $0) }, startedBy: "test")
        #expect(try site.log(of: staged.run.id) == [])
        #expect(staged.run.counts["records"] == 11)
        #expect(staged.run.files.map(\.name) == ["staff.tsv", "contractors.json", "people-*.json", "sites.xml", "interns.xml"])
        let known = try site.store.start(staged.run.id, approvedBy: "test", managedGroups: ["feed-staff", "feed-sales"])
        #expect(known.counts["create"] == 11)
        var ops: [String] = []
        while let chunk = try site.store.nextChunk(staged.run.id) {
            for op in chunk.ops {
                if case .create(_, let resource) = op, resource.attributes["userName"]?.stringValue == "zoe.muller" {
                    #expect(resource.attributes["name"]?.objectValue?["givenName"]?.stringValue == "Zoë")
                    #expect(resource.attributes["name"]?.objectValue?["familyName"]?.stringValue == "Müller")
                }
                if case .addMember(let group, let user) = op { ops.append("\(user) in \(group)") }
            }
            try site.store.chunkApplied(chunk)
        }
        #expect(Set(ops).count == 12)
        #expect(ops.contains("lukas.becker in feed-sales") && ops.contains("omar.haddad in feed-sales"))
        #expect(!ops.contains { $0.hasPrefix("noah.kowalski") || $0.hasPrefix("raj.patel") })
    }
}

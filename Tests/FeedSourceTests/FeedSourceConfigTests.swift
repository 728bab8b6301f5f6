import Config
import Directory
import Foundation
import Testing

@testable import FeedSource

/// `source: { feed: { control, directory, maxSizeRatio, firstRun, keepFiles, poll } }`.
@Suite struct FeedSourceConfigTests {
    let dir: TemporaryDirectory

    init() throws {
        dir = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir.file("feed"), withIntermediateDirectories: true)
        try dir.write("feed/control.json", Fixtures.controlJSON)
    }

    static let sqliteTarget = """
            target:
              sqlite: { path: portal.db }
              layout:
                users: { table: portal_users, attributes: { id: id, userName: login, active: active } }
        """

    func text(feed: String, target: String = sqliteTarget) -> String {
        """
        offsets: { path: state/offsets.db }
        http: { token: "feed-admin-token-0123456789" }
        pipelines:
          - name: hr
            source:
              feed: \(feed)
        \(target)
        """
    }

    func load(_ text: String) throws(ConfigError) -> ScimsyncConfig {
        try ConfigLoader.parse(text, file: "scimsync.yaml", baseDirectory: dir.path, kinds: [FeedSourceConfig.configKind])
    }

    func errors(_ text: String) -> [String] {
        do {
            _ = try load(text)
            return []
        } catch {
            return error.description.split(separator: "\n").map(String.init)
        }
    }

    @Test func defaultsAndARelativeControlPath() throws {
        let config = try load(text(feed: "{ control: feed/control.json }"))
        let pipeline = try #require(config.pipelines.first)
        let settings = try #require(pipeline.source.settings(FeedSourceConfig.self))
        #expect(settings.controlPath == dir.file("feed/control.json"))
        #expect(settings.control == (try Fixtures.control()))
        #expect(settings.directory == nil)
        #expect(settings.maxSizeRatio == 1.1)
        #expect(settings.firstRun == .hold)
        #expect(settings.keepFiles == 30)
        #expect(settings.pollSeconds == 1)
        #expect(settings.safetyRule == SafetyRule(ratio: 1.1, firstRunNeedsApproval: true))
        #expect(
            settings.directory(pipeline: "hr", offsetsPath: config.offsets.path)
                == dir.file("state/offsets.db") + ".feeds/hr")
        // The control file's mapping is the source's layout, whatever the target.
        #expect(pipeline.sourceLayout.users.table == "feed_users")
        #expect(pipeline.targetLayout.users.table == "portal_users")
    }

    @Test func everyKeyGiven() throws {
        let config = try load(
            text(feed: "{ control: \(dir.file("feed/control.json")), directory: feeds/hr, maxSizeRatio: 1.25, firstRun: apply, keepFiles: 3, poll: 5s }"))
        let settings = try #require(config.pipelines.first?.source.settings(FeedSourceConfig.self))
        #expect(settings.directory == dir.file("feeds/hr"))
        #expect(settings.directory(pipeline: "hr", offsetsPath: "/x/offsets.db") == dir.file("feeds/hr"))
        #expect(settings.maxSizeRatio == 1.25)
        #expect(settings.firstRun == .apply)
        #expect(settings.keepFiles == 3)
        #expect(settings.pollSeconds == 5)
        #expect(settings.safetyRule == SafetyRule(ratio: 1.25, firstRunNeedsApproval: false))
    }

    @Test func badValuesAndUnknownKeysAreNamed() {
        #expect(
            errors(text(feed: "{ control: feed/control.json, maxSizeRatio: 0.9, firstRun: later, keepFiles: -1, poll: soon, keep: 3 }"))
                == [
                    #"scimsync.yaml: pipelines[0].source.feed: unknown key "keep"; allowed: control, directory, maxSizeRatio, firstRun, keepFiles, poll"#,
                    #"scimsync.yaml: pipelines[0].source.feed.maxSizeRatio: expected a factor above 1 such as 1.1 (a file may grow or shrink by 10%); found "0.9""#,
                    #"scimsync.yaml: pipelines[0].source.feed.firstRun: "later" is not allowed; allowed: hold, apply"#,
                    #"scimsync.yaml: pipelines[0].source.feed.keepFiles: expected a whole number from 0 to 1000000, found "-1""#,
                    #"scimsync.yaml: pipelines[0].source.feed.poll: expected a duration such as 90s, 30m or 1h; found "soon""#,
                ])
    }

    @Test func aMissingOrBrokenControlFileIsNamed() throws {
        #expect(
            errors(text(feed: "{ maxSizeRatio: 1.2 }")) == [
                #"scimsync.yaml: pipelines[0].source.feed: missing "control" (the path of the feed's JSON control file, e.g. feed/control.json)"#
            ])
        #expect(
            errors(text(feed: "{ control: feed/none.json }")) == [
                "scimsync.yaml: pipelines[0].source.feed.control: the control file \(dir.file("feed/none.json")): cannot read the file: check the path and its permissions"
            ])
        try dir.write("feed/bad.json", #"{ "files": [], "attributes": { "userName": "login" }, "colour": 1 }"#)
        let broken = errors(text(feed: "{ control: feed/bad.json }"))
        #expect(!broken.isEmpty)
        #expect(broken.allSatisfy { $0.hasPrefix("scimsync.yaml: pipelines[0].source.feed.control: the control file \(dir.file("feed/bad.json"))") })
    }

    @Test func aFeedHasNoLayout() {
        let withLayout = """
            pipelines:
              - name: hr
                source:
                  feed: { control: feed/control.json }
                  layout:
                    users: { table: u, attributes: { id: id } }
            \(Self.sqliteTarget)
            """
        #expect(errors(withLayout).contains {
            $0.hasPrefix("scimsync.yaml: pipelines[0].source.layout: a feed source has no layout (the control file maps")
        })
    }

    /// A SCIM target has no layout: the control file's mapping stands in for one.
    @Test func aFeedMayWriteToATargetWithoutALayout() throws {
        let kinds = [FeedSourceConfig.configKind, Self.scimTargetKind]
        let text = text(feed: "{ control: feed/control.json }", target: """
                target:
                  fake: {}
            """)
        let config = try ConfigLoader.parse(text, file: "scimsync.yaml", baseDirectory: dir.path, kinds: kinds)
        let layout = try #require(config.pipelines.first).sourceLayout
        #expect(layout.users.attributes.entries.map(\.pathText) == [
            "id", "userName", "name.givenName", "name.familyName", #"emails[type eq "work"].value"#, "active",
        ])
        #expect(layout.groups?.attributes.entries.map(\.pathText) == ["id", "displayName"])
        // Memberships, which a pass compares in the managed groups only.
        #expect(layout.membership != nil)
    }

    /// A target kind with a block of its own and no layout, as a SCIM provider is.
    struct FakeTarget: KindSettings {
        var description: String { "fake" }
    }

    static let scimTargetKind = ConfigKind(key: "fake", role: .target, whyNoLayout: "none") { node in
        node.mapping(allowed: []).map { _ in FakeTarget() }
    }
}

import Config
import FeedAdmin
import FeedSource
import Foundation
import Testing

/// A feed pipeline `hr` in a temporary directory: a control file for a TSV of users, a
/// configuration that names it (a SQLite target, `http.token` from `FEED_TOKEN`), and export
/// files to upload.
struct FeedFixture {
    static let token = "feed-token-0123456789abcdef"
    let directory: String
    let configPath: String
    let environment: [String: String]

    /// - Parameter control: the control file's text (one TSV of users unless given).
    init(control: String = FeedFixture.control) throws {
        directory = NSTemporaryDirectory() + "scimsync-feed-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        configPath = directory + "/scimsync.yaml"
        environment = ["FEED_TOKEN": Self.token, "PATH": "/usr/bin:/bin"]
        try control.write(toFile: directory + "/control.json", atomically: true, encoding: .utf8)
        try Self.config.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    static let control = """
        {
          "files": [ { "name": "users.tsv", "format": "tsv" } ],
          "attributes": { "userName": "login", "name.givenName": "first", "emails[type eq \\"work\\"].value": "mail" },
          "required": ["login", "mail"]
        }
        """

    /// Two TSV files of users, for uploads of several files.
    static let twoFileControl = """
        {
          "files": [ { "name": "users.tsv", "format": "tsv" }, { "name": "contractors.tsv", "format": "tsv" } ],
          "attributes": { "userName": "login", "name.givenName": "first", "emails[type eq \\"work\\"].value": "mail" },
          "required": ["login", "mail"]
        }
        """

    static let config = """
        offsets: { path: offsets.db }
        http: { port: 9100, token: "${FEED_TOKEN}" }
        pipelines:
          - name: hr
            source:
              feed: { control: control.json }
            target:
              sqlite: { path: portal.db }
              layout:
                users:
                  table: portal_users
                  attributes: { id: id, userName: login, name.givenName: given_name, 'emails[type eq "work"].value': mail, active: enabled }
        """

    /// A users.tsv with a name row; `rows` are (login, first, mail).
    static func tsv(_ rows: [(String, String, String)]) -> String {
        "login\tfirst\tmail\n" + rows.map { "\($0.0)\t\($0.1)\t\($0.2)\n" }.joined()
    }

    static let alice = ("alice", "Alice", "alice@example.com")
    static let bob = ("bob", "Bob", "bob@example.com")

    /// Writes `text` as the file `name` of the fixture's directory `export/`; returns its path.
    func export(_ name: String, _ text: String) throws -> String {
        let folder = directory + "/export"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The configuration as `run` loads it.
    func loaded() throws -> ScimsyncConfig {
        try ConfigLoader.load(path: configPath, kinds: [FeedSourceConfig.configKind], environment: environment)
    }

    /// The feed of `hr`, opened as the daemon and the commands open it.
    func site() throws -> FeedSite {
        let sites = try FeedRoutes.sites(of: try loaded())
        return try #require(sites["hr"])
    }

    /// Plays the daemon's part for a run that may start: plans it and applies every chunk, so
    /// that the feed records its users.
    func applyAsTheDaemonWould(_ run: Int64, approvedBy: String?) throws {
        let store = try site().store
        try store.start(run, approvedBy: approvedBy, managedGroups: [])
        while let chunk = try store.nextChunk(run) { try store.chunkApplied(chunk) }
        try store.finish(run)
    }
}

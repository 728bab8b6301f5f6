import Config
import FeedSource
import Foundation
import Testing

/// `http.token` and `http.maxUploadSize`: a configuration with a feed pipeline must set the
/// token, which is never printed.
@Suite struct AdminTokenConfigTests {
    func parse(_ http: String, directory: String) throws(ConfigError) -> ScimsyncConfig {
        let text = FeedFixture.config.replacingOccurrences(
            of: "http: { port: 9100, token: \"${FEED_TOKEN}\" }", with: http)
        return try ConfigLoader.parse(
            text, file: "scimsync.yaml", baseDirectory: directory, kinds: [FeedSourceConfig.configKind],
            environment: ["FEED_TOKEN": FeedFixture.token, "SHORT": "short"])
    }

    func errors(_ http: String, directory: String) -> String {
        do {
            _ = try parse(http, directory: directory)
            return ""
        } catch {
            return error.description
        }
    }

    @Test func aFeedPipelineNeedsTheToken() throws {
        let fixture = try FeedFixture()
        for http in ["http: { port: 9100 }", ""] {
            let message = errors(http, directory: fixture.directory)
            #expect(message.contains("http.token: is required: pipeline \"hr\" takes uploads through the admin server"), "\(message)")
            #expect(message.contains("set http.token to \"${SCIMSYNC_HTTP_TOKEN}\""), "\(message)")
        }
        let short = errors("http: { token: \"${SHORT}\" }", directory: fixture.directory)
        #expect(short.contains("http.token: is too short to be a secret"), "\(short)")
    }

    @Test func theTokenAndTheUploadLimitAreRead() throws {
        let fixture = try FeedFixture()
        let config = try parse(
            "http: { token: \"${FEED_TOKEN}\", maxUploadSize: 256MiB }", directory: fixture.directory)
        #expect(config.http.token == FeedFixture.token)
        #expect(config.http.maxUploadBytes == 256 << 20)
        #expect(!"\(config.http)".contains(FeedFixture.token))
        #expect(try parse("http: { token: \"${FEED_TOKEN}\" }", directory: fixture.directory).http.maxUploadBytes == 1 << 30)
        let bad = errors("http: { token: \"${FEED_TOKEN}\", maxUploadSize: lots }", directory: fixture.directory)
        #expect(bad.contains("http.maxUploadSize: expected a size"), "\(bad)")
    }

    @Test func withoutAFeedNoTokenIsNeeded() throws {
        let text = """
            http: { port: 9100 }
            pipelines:
              - name: p
                source:
                  mysql: { host: 127.0.0.1, port: 3306, user: repl, password: x, database: hr, serverId: 7 }
                  layout: { users: { table: u, attributes: { id: id, userName: login } } }
                target:
                  sqlite: { path: b.db }
                  layout: { users: { table: u, attributes: { id: id, userName: login } } }
            """
        #expect(try ConfigLoader.parse(text, file: "x.yaml").http.token == nil)
    }
}

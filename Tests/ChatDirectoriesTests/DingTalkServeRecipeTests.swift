import AsyncHTTPClient
import Foundation
import NIOCore
import SCIM
import Testing
import TestSupport

/// config/dingtalk-as-scim.yaml, the built `scimsync` run as an operator would: `scimsync run`
/// reads the simulated organisation into SQLite and serves it, `GET /Users` and `GET /Groups`
/// answer DingTalk's users and departments with their members; `scimsync serve` alone then
/// serves the same database.
@Suite struct DingTalkServeRecipeTests {
    static let scimToken = "scim-token-for-the-dingtalk-recipe"

    /// The test runner sits in the build's products directory, next to the `scimsync` binary.
    static var executable: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("scimsync")
    }

    /// `GET base + path` with the SCIM token (or `token`); the status and the JSON object.
    static func get(_ url: String, token: String? = scimToken) async throws -> (status: Int, body: SCIMObject) {
        var request = HTTPClientRequest(url: url)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 16 << 20)
        let object = (try? SCIMValue(json: bytes.readableBytesView))?.objectValue ?? SCIMObject()
        return (Int(response.status.code), object)
    }

    /// Starts `scimsync ARGUMENTS --config file`, its output into `log`.
    static func launch(_ command: String, config: String, environment: [String: String], log: String) throws -> Process {
        let process = Process()
        process.executableURL = executable
        process.arguments = [command, "--config", config]
        process.environment = environment
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardError = process.standardOutput
        try process.run()
        return process
    }

    static func stop(_ process: Process) async throws {
        guard process.isRunning else { return }
        process.terminate()
        _ = try await eventually { !process.isRunning }
    }

    @Test func theDaemonReadsDingTalkAndServeAnswersUsersAndGroups() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.executable.path), "no scimsync at \(Self.executable.path)")
        let sim = try await DingTalkSim.start()
        try await sim.load(DingTalkDirectoryFixture.neutral)
        let fixture = try DingTalkDirectoryFixture()
        let scimPort = try TestServers.closedPort()
        let config = fixture.stateDirectory + "/dingtalk-as-scim.yaml"
        try String(contentsOfFile: FeishuSim.repositoryRoot + "/config/dingtalk-as-scim.yaml", encoding: .utf8)
            .replacingOccurrences(of: "port: 8080", with: "port: \(scimPort)")
            .replacingOccurrences(of: "http: { port: 9100 }", with: "http: { port: \(try TestServers.closedPort()) }")
            .write(toFile: config, atomically: true, encoding: .utf8)
        var environment = fixture.environment(sim)
        environment["SCIM_TOKEN"] = Self.scimToken
        let base = "http://127.0.0.1:\(scimPort)/scim/v2"
        let log = fixture.stateDirectory + "/run.log"
        let logText = { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

        let daemon = try Self.launch("run", config: config, environment: environment, log: log)
        defer { if daemon.isRunning { daemon.terminate() } }
        // The first read is in the database once the last membership is.
        let loaded = try await eventually {
            guard let users = try? await Self.get(base + "/Users?count=100"), users.status == 200 else { return false }
            let groups = try? await Self.get(base + "/Groups?count=100")
            return users.body["totalResults"] == .integer(23)
                && groups?.body["Resources"]?.arrayValue?.reduce(0) { $0 + ($1.objectValue?["members"]?.arrayValue?.count ?? 0) } == 23
        }
        try #require(loaded, "the daemon did not read DingTalk into the served directory: \(logText())")

        #expect(try await Self.get(base + "/Users", token: nil).status == 401)
        let user = try await Self.get(base + "/Users/u03")
        #expect(user.status == 200)
        #expect(user.body["userName"] == "u03")
        #expect(user.body["name"]?.objectValue?["formatted"] == .string("李雷 \"Lei\" O'Brien"))
        #expect(user.body["emails"]?.arrayValue?.first?.objectValue?["value"] == "u03@example.com")
        #expect(user.body["title"] == "Engineer" && user.body["active"] == .bool(true))
        #expect(user.body["schemas"]?.arrayValue?.contains("urn:ietf:params:scim:schemas:core:2.0:User") == true)
        let filter = try #require(#"userName eq "u02""#.addingPercentEncoding(withAllowedCharacters: .alphanumerics))
        let filtered = try await Self.get(base + "/Users?filter=" + filter)
        let u02Groups = filtered.body["Resources"]?.arrayValue?.first?.objectValue?["groups"]?.arrayValue?
            .compactMap { $0.objectValue?["value"]?.stringValue }.sorted()
        #expect(u02Groups == ["6", "8"], "\(filtered.body)")

        let groups = try await Self.get(base + "/Groups?count=100")
        #expect(groups.body["totalResults"] == .integer(8))
        let byID = Dictionary(uniqueKeysWithValues: (groups.body["Resources"]?.arrayValue ?? []).compactMap { value in
            value.objectValue.flatMap { group in group["id"]?.stringValue.map { ($0, group) } }
        })
        #expect(byID.keys.sorted() == DingTalkDirectoryFixture.departments.map(\.id).sorted())
        #expect(byID["7"]?["displayName"] == .string("销售部"))
        for department in DingTalkDirectoryFixture.departments {
            let members = byID[department.id]?["members"]?.arrayValue?.compactMap { $0.objectValue?["value"]?.stringValue }.sorted()
            let expected = DingTalkDirectoryFixture.users.filter { $0.departments.contains(department.id) }.map(\.id).sorted()
            #expect((members ?? []) == expected, "department \(department.id)")
        }

        try await Self.stop(daemon)
        #expect(daemon.terminationStatus == 0, "\(logText())")
        #expect(!logText().contains(sim.appSecret), "the secret is never logged")

        // `serve` alone: the same directory, without the reader.
        let served = try Self.launch("serve", config: config, environment: environment, log: fixture.stateDirectory + "/serve.log")
        defer { if served.isRunning { served.terminate() } }
        let up = try await eventually { (try? await Self.get(base + "/Groups/6"))?.status == 200 }
        try #require(up, "scimsync serve did not come up")
        let oncall = try await Self.get(base + "/Groups/6")
        #expect(oncall.body["displayName"] == "On call")
        #expect(oncall.body["members"]?.arrayValue?.compactMap { $0.objectValue?["value"]?.stringValue }.sorted()
            == DingTalkDirectoryFixture.users.filter { $0.departments.contains("6") }.map(\.id).sorted())
        try await Self.stop(served)
    }
}

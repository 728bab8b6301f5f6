import FeedSource
import Foundation
import SQLClients
import Testing
import TestSupport

/// The nightly integration as an HR system runs it: `curl -F file=@users.tsv` against the
/// admin server of a running `scimsync run`, with the token and without.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/curl"), "needs curl"))
struct CurlUploadTests {
    /// Runs curl to its end; returns the HTTP status it printed last and the body before it.
    func curl(_ arguments: [String]) throws -> (status: Int, body: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-sS", "--max-time", "120", "-w", "\n%{http_code}"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
    }

    @Test func aNightlyCurlIsTheWholeIntegration() async throws {
        let fixture = try FeedFixture()
        let port = try TestServers.closedPort()
        let text = try String(contentsOfFile: fixture.configPath, encoding: .utf8)
            .replacingOccurrences(of: "port: 9100", with: "port: \(port)")
        try text.write(toFile: fixture.configPath, atomically: true, encoding: .utf8)
        let file = try fixture.export("users.tsv", FeedFixture.tsv([FeedFixture.alice, FeedFixture.bob]))

        let log = fixture.directory + "/run.log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let daemon = Process()
        daemon.executableURL = FeedCommandTests.executable
        daemon.arguments = ["run", "--config", fixture.configPath]
        daemon.environment = fixture.environment
        daemon.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        daemon.standardError = daemon.standardOutput
        try daemon.run()
        defer {
            if daemon.isRunning {
                daemon.terminate()
                daemon.waitUntilExit()
            }
        }
        let base = "http://127.0.0.1:\(port)"
        let up = try await eventually { try curl(["\(base)/healthz"]).status == 200 }
        try #require(up, "the admin server did not come up: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")

        // Without the token, and with a wrong one: 401, nothing staged.
        #expect(try curl(["-F", "file=@\(file)", "\(base)/feeds/hr/runs"]).status == 401)
        let wrong = try curl(["-H", "Authorization: Bearer not-the-token-at-all", "-F", "file=@\(file)", "\(base)/feeds/hr/runs"])
        #expect(wrong.status == 401)
        #expect(try fixture.site().runs().isEmpty)

        let staged = try curl([
            "-H", "Authorization: Bearer \(FeedFixture.token)", "-F", "file=@\(file)", "\(base)/feeds/hr/runs?by=hr-export",
        ])
        #expect(staged.status == 201, "\(staged.body)")
        let json = (try JSONSerialization.jsonObject(with: Data(staged.body.utf8))) as? [String: Any] ?? [:]
        #expect(json["run"] as? Int == 1, "\(staged.body)")
        #expect(json["startedBy"] as? String == "http (hr-export)")
        #expect((json["counts"] as? [String: Int])?["records"] == 2, "\(staged.body)")
        #expect(try fixture.site().run(1)?.files.map(\.name) == ["users.tsv"])

        daemon.terminate()
        let stopped = try await eventually { !daemon.isRunning }
        #expect(stopped)
        #expect(daemon.terminationStatus == 0, "\((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        #expect(!((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains(FeedFixture.token), "the token is never logged")
    }

    /// The whole loop through the daemon: an upload by curl waits (the first run), an approval
    /// by curl lets the running daemon apply it into the SQLite target, and the run completes.
    @Test func anApprovedUploadReachesTheTarget() async throws {
        let fixture = try FeedFixture()
        let port = try TestServers.closedPort()
        let text = try String(contentsOfFile: fixture.configPath, encoding: .utf8)
            .replacingOccurrences(of: "port: 9100", with: "port: \(port)")
        try text.write(toFile: fixture.configPath, atomically: true, encoding: .utf8)
        let portal = try SQLiteDatabase(path: fixture.directory + "/portal.db")
        try portal.execute(
            "CREATE TABLE portal_users (id TEXT PRIMARY KEY, login TEXT NOT NULL UNIQUE, given_name TEXT, mail TEXT, enabled INTEGER NOT NULL DEFAULT 1)")
        let file = try fixture.export("users.tsv", FeedFixture.tsv([FeedFixture.alice, FeedFixture.bob]))

        let log = fixture.directory + "/run.log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let daemon = Process()
        daemon.executableURL = FeedCommandTests.executable
        daemon.arguments = ["run", "--config", fixture.configPath]
        daemon.environment = fixture.environment
        daemon.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        daemon.standardError = daemon.standardOutput
        try daemon.run()
        defer {
            if daemon.isRunning {
                daemon.terminate()
                daemon.waitUntilExit()
            }
        }
        let daemonLog = { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }
        let base = "http://127.0.0.1:\(port)"
        let auth = ["-H", "Authorization: Bearer \(FeedFixture.token)"]
        try #require(try await eventually { try curl(["\(base)/healthz"]).status == 200 }, "\(daemonLog())")

        let staged = try curl(auth + ["-F", "file=@\(file)", "\(base)/feeds/hr/runs"])
        #expect(staged.status == 201, "\(staged.body)")
        let approved = try curl(auth + ["-X", "POST", "\(base)/feeds/hr/runs/1/apply?by=carol"])
        #expect(approved.status == 200, "\(approved.body)")
        let complete = try await eventually { try fixture.site().run(1)?.state == .complete }
        #expect(complete, "\(daemonLog())")
        func users() -> Int {
            guard case .int(let count)? = try? portal.query("SELECT COUNT(*) FROM portal_users").first?.values.first else {
                return -1
            }
            return Int(count)
        }
        #expect(users() == 2, "\(daemonLog())")
        let user = try curl(auth + ["\(base)/feeds/hr/users/bob"])
        #expect(user.status == 200)
        #expect(user.body.contains("\"owned\":true"), "\(user.body)")
    }
}

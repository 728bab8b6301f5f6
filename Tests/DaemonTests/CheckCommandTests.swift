import Foundation
import Testing
import TestSupport

/// The `scimsync check` executable, end to end: output lines and exit status.
@Suite struct CheckCommandTests {
    struct Outcome {
        var status: Int32
        var output: String
        var lines: [String] { output.split(separator: "\n").map(String.init) }
    }

    /// The test runner sits in the build's products directory, next to the `scimsync` binary.
    static var executable: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("scimsync")
    }

    func check(_ arguments: [String], environment: [String: String]) async throws -> Outcome {
        let binary = Self.executable
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "no scimsync binary at \(binary.path)")
        // A thread of its own waits for the process (TestSupport.offPool).
        return try await offPool {
            let process = Process()
            process.executableURL = binary
            process.arguments = ["check"] + arguments
            process.environment = environment.merging(["PATH": "/usr/bin:/bin"]) { a, _ in a }
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = pipe
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return Outcome(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
        }
    }

    @Test func bothExamplesPass() async throws {
        let fixture = try ExampleDirectories()
        for config in ["config/mariadb-to-sqlite.yaml", "config/mariadb-to-postgres.yaml"] {
            let path = ExampleDirectories.path(config)
            let outcome = try await check(["--config", path], environment: fixture.environment)
            #expect(outcome.status == 0, "\(outcome.output)")
            #expect(outcome.lines.count == 7, "\(outcome.output)")
            #expect(outcome.lines.first == "ok    config \(path): 1 pipeline")
            #expect(outcome.lines.allSatisfy { $0.hasPrefix("ok    ") }, "\(outcome.output)")
        }
    }

    @Test func aFailingCheckExitsWithOne() async throws {
        let fixture = try ExampleDirectories()
        var environment = fixture.environment
        environment["HR_DB_PASSWORD"] = "wrong"
        let outcome = try await check(["--config", ExampleDirectories.path("config/mariadb-to-sqlite.yaml")], environment: environment)
        #expect(outcome.status == 1)
        #expect(outcome.lines.filter { $0.hasPrefix("FAIL  ") }.count == 1, "\(outcome.output)")
    }

    @Test func anInvalidConfigExitsWithTwoAndNamesTheKey() async throws {
        let directory = NSTemporaryDirectory() + "scimsync-check-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/scimsync.yaml"
        let text = try String(contentsOfFile: ExampleDirectories.path("config/mariadb-to-sqlite.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "            id: id\n            userName: username", with: "            userName: username")
            .replacingOccurrences(of: "serverId: 4242", with: "serverID: 4242")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let outcome = try await check(["--config", path], environment: [:])
        #expect(outcome.status == 2)
        #expect(outcome.lines == [
            "FAIL  config \(path): 3 problems",
            #"      \#(path): pipelines[0].source.mysql: unknown key "serverID" (did you mean "serverId"?); allowed: host, port, user, password, database, serverId"#,
            "      \(path): pipelines[0].source.mysql.password: environment variable HR_DB_PASSWORD is not set (export it, or write ${HR_DB_PASSWORD:-default})",
            #"      \#(path): pipelines[0].source.layout.users.attributes: no mapping for "id""#,
        ])
    }
}

import FeedSource
import Foundation
import Testing
import TestSupport

/// `scimsync feed …`, the built executable on a temporary configuration with a feed pipeline:
/// exit statuses, and the JSON output field by field.
@Suite struct FeedCommandTests {
    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(stdout.utf8))) as? [String: Any] ?? [:]
        }
    }

    /// The test runner sits in the build's products directory, next to the `scimsync` binary.
    static var executable: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("scimsync")
    }

    /// Runs `scimsync feed ARGUMENTS --config …` to its end.
    func feed(_ arguments: [String], _ fixture: FeedFixture, json: Bool = true) async throws -> Outcome {
        let binary = Self.executable
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "no scimsync binary at \(binary.path)")
        // A thread of its own waits for the process (TestSupport.offPool).
        return try await offPool {
            let process = Process()
            process.executableURL = binary
            process.arguments = ["feed"] + arguments + ["--config", fixture.configPath] + (json ? ["--format", "json"] : [])
            process.environment = fixture.environment
            let outPath = fixture.directory + "/out-\(UUID().uuidString)"
            let errPath = outPath + ".err"
            _ = FileManager.default.createFile(atPath: outPath, contents: nil)
            _ = FileManager.default.createFile(atPath: errPath, contents: nil)
            process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
            try process.run()
            process.waitUntilExit()
            return Outcome(
                status: process.terminationStatus, stdout: try String(contentsOfFile: outPath, encoding: .utf8),
                stderr: try String(contentsOfFile: errPath, encoding: .utf8))
        }
    }

    @Test func uploadRunsShowApplyFilesAndUser() async throws {
        let fixture = try FeedFixture()
        let tsv = FeedFixture.tsv([FeedFixture.alice, FeedFixture.bob])
        let file = try fixture.export("users.tsv", tsv)

        let upload = try await feed(["upload", "--pipeline", "hr", "--by", "nightly", file], fixture)
        #expect(upload.status == 0, "\(upload.stderr)")
        let staged = upload.json
        #expect(staged["pipeline"] as? String == "hr")
        #expect(staged["run"] as? Int == 1)
        #expect(staged["state"] as? String == "ready")
        #expect(staged["startedBy"] as? String == "nightly")
        #expect(staged["approvedBy"] is NSNull)
        #expect((staged["holdReason"] as? String)?.isEmpty == false, "the first run waits: \(upload.stdout)")
        #expect(staged["failureReason"] is NSNull)
        #expect((staged["counts"] as? [String: Int])?["records"] == 2)
        #expect(staged["errors"] as? Int == 0)
        #expect(staged["planned"] as? Int == 0)
        #expect(staged["applied"] as? Int == 0)
        #expect(staged["filesKept"] as? Bool == true)
        let files = try #require(staged["files"] as? [[String: Any]])
        #expect(files.count == 1)
        #expect(files.first?["name"] as? String == "users.tsv")
        #expect(files.first?["size"] as? Int == tsv.utf8.count)
        #expect((files.first?["sha256"] as? String)?.count == 64)
        #expect((staged["log"] as? [Any])?.isEmpty == true)

        // --pipeline is optional with one feed pipeline.
        let runs = try await feed(["runs"], fixture)
        #expect(runs.status == 0, "\(runs.stderr)")
        #expect(runs.json["pipeline"] as? String == "hr")
        let listed = try #require(runs.json["runs"] as? [[String: Any]])
        #expect(listed.map { $0["run"] as? Int } == [1])
        #expect(listed.first?["log"] == nil, "the list leaves the logs out")

        let show = try await feed(["show", "1"], fixture)
        #expect(show.status == 0, "\(show.stderr)")
        #expect(show.json["state"] as? String == "ready")
        #expect(show.json["log"] as? [Any] != nil)

        let apply = try await feed(["apply", "1", "--by", "carol"], fixture)
        #expect(apply.status == 0, "\(apply.stderr)")
        #expect(apply.json["approvedBy"] as? String == "carol")
        try fixture.applyAsTheDaemonWould(1, approvedBy: "carol")
        #expect(try await feed(["show", "1"], fixture).json["state"] as? String == "complete")

        let out = fixture.directory + "/copied"
        let copied = try await feed(["files", "1", "--out", out], fixture)
        #expect(copied.status == 0, "\(copied.stderr)")
        #expect(copied.json["run"] as? Int == 1)
        let copies = try #require(copied.json["files"] as? [[String: Any]])
        #expect(copies.map { $0["name"] as? String } == ["users.tsv"])
        #expect(try String(contentsOfFile: out + "/users.tsv", encoding: .utf8) == tsv)

        let user = try await feed(["user", "Alice"], fixture)
        #expect(user.status == 0, "\(user.stderr)")
        #expect(user.json["pipeline"] as? String == "hr")
        #expect(user.json["userName"] as? String == "alice")
        #expect(user.json["owned"] as? Bool == true)
        #expect(user.json["inFeed"] as? Bool == true)
        #expect(user.json["blocked"] as? Bool == false)
        #expect(user.json["error"] as? Bool == false)
        #expect(user.json["lastChangedRun"] as? Int == 1)
        #expect((user.json["digest"] as? String)?.isEmpty == false)
        #expect((user.json["record"] as? [String: Any])?["first"] as? String == "Alice")
        #expect((user.json["resource"] as? [String: Any])?["userName"] as? String == "alice", "\(user.stdout)")

        let nobody = try await feed(["user", "nobody"], fixture)
        #expect(nobody.status == 1)
        #expect(nobody.stderr.contains("never received a user named nobody"), "\(nobody.stderr)")
    }

    @Test func cancelAndRefusals() async throws {
        let fixture = try FeedFixture()
        let file = try fixture.export("users.tsv", FeedFixture.tsv([FeedFixture.alice]))
        #expect(try await feed(["upload", file], fixture).status == 0)

        // One run at a time.
        let second = try await feed(["upload", file], fixture)
        #expect(second.status == 1)
        #expect(second.stderr.contains("run 1 is not finished yet"), "\(second.stderr)")

        let cancel = try await feed(["cancel", "1"], fixture)
        #expect(cancel.status == 0, "\(cancel.stderr)")
        #expect(cancel.json["state"] as? String == "cancelled")
        let again = try await feed(["apply", "1"], fixture)
        #expect(again.status == 1)
        #expect(again.stderr.contains("cancelled"), "\(again.stderr)")
        #expect(try await feed(["show", "7"], fixture).status == 1)

        // A file the control file does not list: the run fails, exit 1.
        let stray = try fixture.export("people.tsv", FeedFixture.tsv([FeedFixture.bob]))
        let failed = try await feed(["upload", stray], fixture)
        #expect(failed.status == 1, "\(failed.stdout)")
        #expect(failed.json["state"] as? String == "failure")
        #expect((failed.json["failureReason"] as? String)?.contains("users.tsv") == true, "\(failed.stdout)")

        // Text output for people.
        let text = try await feed(["runs"], fixture, json: false)
        #expect(text.status == 0)
        #expect(text.stdout.hasPrefix("RUN"), "\(text.stdout)")
        #expect(text.stdout.contains("cancelled"))

        // The configuration's mistakes exit 2 and name the fix.
        let unknown = try await feed(["runs", "--pipeline", "payroll"], fixture)
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("no pipeline is named payroll; the feed pipelines are hr"), "\(unknown.stderr)")
        // Two files of one name: the command line is wrong (64), nothing is staged.
        let other = fixture.directory + "/other"
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: file, toPath: other + "/users.tsv")
        let twice = try await feed(["upload", file, other + "/users.tsv"], fixture)
        #expect(twice.status == 64, "\(twice.stderr)")
        #expect(twice.stderr.contains("two of the files are named users.tsv"), "\(twice.stderr)")
        #expect(try fixture.site().runs().count == 2)
        let missing = try await feed(["upload", fixture.directory + "/absent.tsv"], fixture)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("cannot read"), "\(missing.stderr)")
    }
}

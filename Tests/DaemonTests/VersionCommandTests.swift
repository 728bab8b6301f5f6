import Foundation
import Testing
import TestSupport

/// `scimsync --version` prints the version written in `Sources/scimsync/Version.swift`, the
/// one place it is kept (and the line `scripts/release` stamps).
@Suite struct VersionCommandTests {
    /// The string literal of `static let current = "…"` in Version.swift, as the source holds it.
    static func committedVersion() throws -> String {
        let text = try String(contentsOfFile: ExampleDirectories.path("Sources/scimsync/Version.swift"), encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first { $0.contains("static let current = \"") })
        let quoted = line.split(separator: "\"", omittingEmptySubsequences: false)
        try #require(quoted.count == 3, "the version line is not one string literal: \(line)")
        return String(quoted[1])
    }

    func scimsync(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        let binary = CheckCommandTests.executable
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "no scimsync binary at \(binary.path)")
        // A thread of its own waits for the process (TestSupport.offPool).
        return try await offPool {
            let process = Process()
            process.executableURL = binary
            process.arguments = arguments
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = pipe
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: data, as: UTF8.self))
        }
    }

    @Test func printsTheCommittedVersion() async throws {
        let version = try Self.committedVersion()
        #expect(!version.isEmpty)
        let outcome = try await scimsync(["--version"])
        #expect(outcome.status == 0, "\(outcome.output)")
        #expect(outcome.output == version + "\n")
    }

    @Test func theHelpOffersIt() async throws {
        let outcome = try await scimsync(["--help"])
        #expect(outcome.status == 0, "\(outcome.output)")
        #expect(outcome.output.contains("--version"), "\(outcome.output)")
    }
}

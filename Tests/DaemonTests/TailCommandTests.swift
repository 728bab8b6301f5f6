import Foundation
import SQLClients
import Testing
import TestSupport

/// The `scimsync tail` executable, end to end: what it prints to a file, and how it ends when
/// the reader of its output goes away.
@Suite struct TailCommandTests {
    /// 20,000 inserted rows, about 3 MB of lines: far more than a pipe holds.
    func largeTable(_ fixture: ExampleDirectories) throws -> (table: String, from: String) {
        let connection = try TestServers.mariaDB()
        let table = TestServers.uniqueName("tail_pipe")
        try connection.execute("CREATE TABLE \(table) (id INT PRIMARY KEY, name VARCHAR(40)) ENGINE=InnoDB")
        let before = try connection.currentBinlogPosition()
        try connection.execute("INSERT INTO \(table) SELECT seq, CONCAT('name \"', seq, '\" ü') FROM seq_1_to_20000")
        return ("scimsync_test.\(table)", "\(before.file):\(before.offset)")
    }

    /// `scimsync tail` over a new large table, started, its output and errors piped.
    func startedTail() throws -> (process: Process, output: Pipe, errors: Pipe, table: String) {
        let fixture = try ExampleDirectories()
        let (table, from) = try largeTable(fixture)
        let process = try tail(fixture, table: table, from: from)
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        return (process, output, errors, table)
    }

    func tail(_ fixture: ExampleDirectories, table: String, from: String) throws -> Process {
        let binary = CheckCommandTests.executable
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "no scimsync binary at \(binary.path)")
        let process = Process()
        process.executableURL = binary
        process.arguments = [
            "tail", "--config", ExampleDirectories.path("config/mariadb-to-sqlite.yaml"), "--from", from, "--until", "now",
            "--tables", table,
        ]
        process.environment = fixture.environment.merging(["PATH": "/usr/bin:/bin"]) { mine, _ in mine }
        return process
    }

    @Test func everyRowIsPrintedOnce() async throws {
        let (process, output, errors, table) = try startedTail()
        let (data, messages) = try await offPool {
            let data = output.fileHandleForReading.readDataToEndOfFile()
            let messages = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return (data, messages)
        }
        #expect(process.terminationStatus == 0, "\(messages)")
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 20_001)
        #expect(lines.last == "")
        #expect(lines.first?.hasPrefix(#"{"table":"\#(table)","op":"insert","before":null,"after":{"id":1,"name":"name \"1\" ü"},"position":""#) == true)
        #expect(lines[19_999].contains(#""id":20000,"#))
    }

    /// `scimsync tail | head -1`: the reader closes the pipe after one line; tail stops
    /// reading and exits 0, printing nothing (no SIGPIPE, no crash, no error).
    @Test func aClosedPipeEndsTailQuietly() async throws {
        let (process, output, errors, table) = try startedTail()
        let (first, messages) = try await offPool {
            // Read the first line, then go away, as `head -1` does.
            var first: [UInt8] = []
            while !first.contains(UInt8(ascii: "\n")) {
                let chunk = output.fileHandleForReading.availableData
                guard !chunk.isEmpty else { break }
                first += chunk
            }
            try output.fileHandleForReading.close()
            let messages = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return (first, messages)
        }
        #expect(String(decoding: first, as: UTF8.self).hasPrefix(#"{"table":"\#(table)""#))
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
        #expect(messages == "")
    }
}

import Config
import Daemon
import Foundation
import MySQLBinlog
import MySQLSource
import SQLClients
import Testing
import TestSupport

/// A source server restarted in the middle of a stream: the reader reconnects by itself and
/// every row arrives exactly once, in order, across the restart (and the new binlog file the
/// restarted server opens).
@Suite struct SourceRestartTests {
    @Test func tailSurvivesAServerRestart() async throws {
        let server = try PrivateMariaDB()
        func connection() throws -> MariaDBConnection {
            try MariaDBConnection(host: "127.0.0.1", port: server.port, user: server.user, password: server.password)
        }
        let setup = try connection()
        try setup.execute("CREATE DATABASE hr")
        try setup.execute("CREATE TABLE hr.people (id INT PRIMARY KEY, name VARCHAR(20))")
        let start = try setup.currentBinlogPosition()

        let lines = LineCollector()
        let source = MySQLConnectionConfig(
            host: "127.0.0.1", port: server.port, user: server.user, password: server.password, database: "hr")
        let tail = Task {
            try await BinlogTail.run(
                source: source, serverID: 4242,
                range: TailRange(start: .position(BinlogPosition(file: start.file, offset: start.offset)), end: nil, tables: nil),
                tables: ["hr.people"]
            ) { lines.append(String(decoding: $0, as: UTF8.self)) }
        }
        for id in 1...3 { try setup.execute("INSERT INTO hr.people VALUES (\(id), 'before \(id)')") }
        try await lines.waitFor(count: 3, unless: tail)

        server.stop()
        try server.start()
        let after = try connection()
        for id in 4...6 { try after.execute("INSERT INTO hr.people VALUES (\(id), 'after \(id)')") }
        try await lines.waitFor(count: 6, unless: tail)
        tail.cancel()
        _ = await tail.result

        let ids = lines.all.compactMap { line -> Int? in
            guard let range = line.range(of: #""after":{"id":"#) else { return nil }
            return Int(line[range.upperBound...].prefix { $0.isNumber })
        }
        #expect(ids == [1, 2, 3, 4, 5, 6])
        #expect(lines.all.last?.contains(#""position":"binlog.000002:"#) == true, "rows after the restart come from the new file")
    }
}

/// Lines written by the tail, readable from the test while it runs.
final class LineCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []

    func append(_ text: String) {
        lock.withLock { lines += text.split(separator: "\n").map(String.init) }
    }

    var all: [String] { lock.withLock { lines } }

    /// Waits until `count` lines arrived, or records why not: a timeout, or `task` ending
    /// (with its error) before they did.
    func waitFor(count: Int, unless task: Task<Void, any Error>, timeout: Duration = TestBounds.serverEvent) async throws {
        let ended = TaskEnd()
        let watcher = Task {
            let result = await task.result
            ended.set(result)
        }
        defer { watcher.cancel() }
        let deadline = ContinuousClock.now + timeout
        while all.count < count {
            if let result = ended.value {
                Issue.record("the tail ended after \(all.count) of \(count) lines: \(result)")
                return
            }
            guard ContinuousClock.now < deadline else {
                Issue.record("only \(all.count) of \(count) lines arrived: \(all)")
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}

final class TaskEnd: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Result<Void, any Error>?
    func set(_ value: Result<Void, any Error>) { lock.withLock { result = value } }
    var value: Result<Void, any Error>? { lock.withLock { result } }
}

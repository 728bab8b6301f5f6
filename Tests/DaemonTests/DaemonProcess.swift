import Foundation
import SQLClients
import Testing
import TestSupport

/// `scimsync run --config` as a child process over a source on a PrivateMariaDB (or any
/// MariaDB) and the SQLite example target, for the tests that signal or kill the daemon.
final class DaemonProcess: @unchecked Sendable {
    let configPath: String
    let environment: [String: String]
    let logPath: String
    private(set) var process: Process?

    /// Writes config/mariadb-to-sqlite.yaml (with a random replica id) into `stateDirectory`.
    convenience init(stateDirectory: String, environment: [String: String], workloadRemovals: Bool = false) throws {
        try self.init(
            stateDirectory: stateDirectory,
            configText: try PipelineHarness.exampleText("config/mariadb-to-sqlite.yaml", workloadRemovals: workloadRemovals),
            environment: environment)
    }

    /// Writes `configText` into `stateDirectory`; the log goes beside it.
    init(stateDirectory: String, configText: String, environment: [String: String]) throws {
        configPath = stateDirectory + "/scimsync.yaml"
        logPath = stateDirectory + "/scimsync.log"
        self.environment = environment.merging(["PATH": "/usr/bin:/bin"]) { mine, _ in mine }
        try configText.write(toFile: configPath, atomically: true, encoding: .utf8)
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
    }

    /// Starts the daemon; `extra` adds to its environment for this start only (failpoints).
    func start(extra: [String: String] = [:]) throws {
        let binary = CheckCommandTests.executable
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "no scimsync binary at \(binary.path)")
        let process = Process()
        process.executableURL = binary
        process.arguments = ["run", "--config", configPath]
        process.environment = environment.merging(extra) { _, new in new }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        try process.run()
        self.process = process
    }

    /// SIGKILL: no batch finishes, nothing is flushed.
    func kill9() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    /// SIGTERM and the exit status (nil when it did not exit by itself within `timeout`).
    func terminate(timeout: Duration = TestBounds.serverEvent) async throws -> (reason: Process.TerminationReason, status: Int32)? {
        guard let process else { return nil }
        process.terminate()
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        guard !process.isRunning else { return nil }
        self.process = nil
        return (process.terminationReason, process.terminationStatus)
    }

    /// SIGTERM without waiting.
    func signalTerminate() {
        process?.terminate()
    }

    /// Waits until the daemon exits by itself (a failpoint killed it).
    func waitForExit(timeout: Duration = TestBounds.serverEvent) async throws -> (reason: Process.TerminationReason, status: Int32)? {
        guard let process else { return nil }
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        guard !process.isRunning else { return nil }
        self.process = nil
        return (process.terminationReason, process.terminationStatus)
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    deinit { kill9() }
}

/// A seed-layout source database `hr` on a private MariaDB server, a SQLite target with the
/// portal tables, and the environment config/mariadb-to-sqlite.yaml reads.
struct PrivateSourceFixture {
    let server: PrivateMariaDB
    let stateDirectory: String
    let sqlitePath: String
    let environment: [String: String]

    init() throws {
        server = try PrivateMariaDB()
        let setup = try MariaDBConnection(host: "127.0.0.1", port: server.port, user: server.user, password: server.password)
        try setup.execute("CREATE DATABASE hr CHARACTER SET utf8mb4")
        try setup.execute("USE hr")
        for statement in try ExampleDirectories.statements(in: "config/sql/mariadb-source.sql") { try setup.execute(statement) }
        stateDirectory = server.directory + "/state"
        try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        sqlitePath = stateDirectory + "/portal.db"
        let sqlite = try SQLiteDatabase(path: sqlitePath)
        for statement in try ExampleDirectories.statements(in: "config/sql/sqlite-target.sql") { try sqlite.execute(statement) }
        environment = [
            "HR_DB_HOST": "127.0.0.1", "HR_DB_PORT": String(server.port), "HR_DB_USER": server.user,
            "HR_DB_PASSWORD": server.password, "HR_DB_NAME": "hr", "PORTAL_DB": sqlitePath,
            "SCIMSYNC_STATE_DIR": stateDirectory,
        ]
    }

    func source() throws -> MariaDBConnection { try Self.source(port: server.port) }

    static func source(port: Int) throws -> MariaDBConnection {
        try MariaDBConnection(host: "127.0.0.1", port: port, user: "scimsync", password: "scimsync", database: "hr")
    }

    /// A count from the SQLite target, or -1 while it cannot be read.
    func count(_ sql: String) -> Int {
        guard let database = try? SQLiteDatabase(path: sqlitePath),
            case .int(let number)? = try? database.query(sql).first?.values.first
        else { return -1 }
        return Int(number)
    }
}

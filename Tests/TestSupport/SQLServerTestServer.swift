import Foundation
import SQLServerClient
import Synchronization

/// Where the SQL Server tests connect: the server SCIMSYNC_TEST_SQLSERVER_URL names
/// (`sqlserver://user:password@host:port/database`), or else a TDS test server of this test run's
/// own, the peer in scripts/sqlserver-peer (SCIMSYNC_SQLSERVER_PEER overrides the path), started
/// once on a free port in a temporary directory and stopped when the test process exits.
public struct SQLServerTestServer: Sendable {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String
    public var database: String?
    /// The test double's process, when this is a double the tests started.
    public var processIdentifier: Int32?

    /// A new connection as the test user, without TLS (neither the peer nor a test container
    /// has a certificate a client could check).
    public func connect(password: String? = nil) throws -> SQLServerConnection {
        try SQLServerConnection(
            host: host, port: port, user: user, password: password ?? self.password, database: database,
            connectTimeout: 10, loginTimeout: 30, encryption: .off
        )
    }

    /// The server for this test run, or why there is none.
    public static let shared: Result<SQLServerTestServer, SQLServerTestServerError> = {
        let environment = ProcessInfo.processInfo.environment
        if let url = environment["SCIMSYNC_TEST_SQLSERVER_URL"], !url.isEmpty {
            return parse(url: url).map(Result.success) ?? .failure(.badURL)
        }
        return Result { try PeerProcess.start(arguments: [], shared: true) }.mapError { $0 as? SQLServerTestServerError ?? .didNotStart("\($0)") }
    }()

    public static func server() throws -> SQLServerTestServer {
        try shared.get()
    }

    /// Whether the tests run against the server SCIMSYNC_TEST_SQLSERVER_URL names rather than
    /// the test double.
    public static var isRealServer: Bool {
        !(ProcessInfo.processInfo.environment["SCIMSYNC_TEST_SQLSERVER_URL"] ?? "").isEmpty
    }

    /// A test double of one test's own, started with `arguments` besides port, directory and
    /// password (e.g. `["--lock-timeout", "600"]`), for a test that needs a setting the shared
    /// one must not have. It runs until the test process exits.
    public static func privatePeer(arguments: [String]) throws -> SQLServerTestServer {
        try PeerProcess.start(arguments: arguments, shared: false)
    }

    /// A new database of its own for one test (`prefix_` and a random suffix), with change
    /// tracking (retention `retentionDays`) and snapshot isolation on, and the server pointing
    /// at it. Tests share one server but never a database: the peer locks writes database-wide.
    public static func freshDatabase(_ prefix: String = "scimsync_t", retentionDays: Int = 2) throws -> SQLServerTestServer {
        try server().withFreshDatabase(prefix, retentionDays: retentionDays)
    }

    /// ``freshDatabase(_:retentionDays:)`` on this server.
    public func withFreshDatabase(_ prefix: String = "scimsync_t", retentionDays: Int = 2) throws -> SQLServerTestServer {
        var server = self
        let name = "\(prefix)_\(UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: ""))"
        server.database = nil
        let connection = try server.connect()
        for statement in [
            "CREATE DATABASE [\(name)]",
            "ALTER DATABASE [\(name)] SET CHANGE_TRACKING = ON (CHANGE_RETENTION = \(retentionDays) DAYS, AUTO_CLEANUP = ON)",
            "ALTER DATABASE [\(name)] SET ALLOW_SNAPSHOT_ISOLATION ON",
        ] {
            _ = try explained { try connection.execute(statement) }
        }
        server.database = name
        return server
    }

    /// `sqlserver://user:password@host:port/database`; the port defaults to 1433, the database
    /// to the login's default.
    public static func parse(url: String) -> SQLServerTestServer? {
        guard let components = URLComponents(string: url), components.scheme == "sqlserver",
              let host = components.host, let user = components.user
        else { return nil }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        return SQLServerTestServer(
            host: host, port: components.port ?? 1433, user: user.removingPercentEncoding ?? user,
            password: components.password?.removingPercentEncoding ?? "", database: path.isEmpty ? nil : path
        )
    }
}

/// Runs a test body and rethrows a `SQLServerError` with the server's message in its
/// description, so a failing test says what the server said (test data only: no personal data).
public func explained<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as SQLServerError {
        throw ExplainedError(description: String(reflecting: error))
    }
}

public struct ExplainedError: Error, CustomStringConvertible {
    public var description: String
}

public enum SQLServerTestServerError: Error, CustomStringConvertible {
    case badURL
    case missing(String)
    case didNotStart(String)

    public var description: String {
        switch self {
        case .badURL: "SCIMSYNC_TEST_SQLSERVER_URL is not sqlserver://user:password@host:port/database"
        case .missing(let path): "no TDS test server at \(path): set SCIMSYNC_SQLSERVER_PEER or SCIMSYNC_TEST_SQLSERVER_URL"
        case .didNotStart(let output): "the TDS test server did not start: \(output.suffix(2000))"
        }
    }
}

/// The peer process. It lives as long as the test process: the shared result holds it.
private enum PeerProcess {
    /// The package root, from this file's path (Tests/TestSupport/<file>).
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    static var programPath: String {
        let configured = ProcessInfo.processInfo.environment["SCIMSYNC_SQLSERVER_PEER"] ?? ""
        let path = configured.isEmpty ? "scripts/sqlserver-peer" : configured
        return path.hasPrefix("/") ? path : packageRoot.appendingPathComponent(path).path
    }

    static let password = "Peer-Test-Password-1"
    /// The peers started, with their directories: kept so the process objects are not
    /// released while the tests run, and stopped by the exit handler.
    static let running = Mutex<[(process: Process, directory: String)]>([])

    /// The peer must not outlive the tests: Foundation leaves a child running when its parent
    /// exits. SIGKILL, because the child inherits the test process's signal mask, in which
    /// SIGTERM is blocked, and its state is a temporary directory nothing keeps. Registered
    /// once (Swift runs a static initialiser once, atomically).
    static let exitHandler: Void = {
        atexit {
            let peers = PeerProcess.running.withLock { $0 }
            for (process, directory) in peers {
                if process.isRunning {
                    kill(process.processIdentifier, SIGKILL)
                    process.waitUntilExit()
                }
                try? FileManager.default.removeItem(atPath: directory)
            }
        }
    }()

    static func start(arguments: [String], shared: Bool) throws -> SQLServerTestServer {
        let program = programPath
        guard FileManager.default.isExecutableFile(atPath: program) else { throw SQLServerTestServerError.missing(program) }
        let directory = NSTemporaryDirectory() + "scimsync-sqlserver-peer-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let port = try TestServers.closedPort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = ["--port", String(port), "--dir", directory, "--password", password] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        _ = exitHandler
        try process.run()
        running.withLock { $0.append((process, directory)) }
        // Waits for the line the peer prints once it listens, with a generous bound: the CI
        // machine is a loaded 2-core box.
        let reader = output.fileHandleForReading
        var text = ""
        let deadline = Date().addingTimeInterval(120)
        while !text.contains("ready on 127.0.0.1:\(port)") {
            let chunk = reader.availableData
            if chunk.isEmpty {
                guard process.isRunning, Date() < deadline else { throw SQLServerTestServerError.didNotStart(text) }
                Thread.sleep(forTimeInterval: 0.05)
                continue
            }
            text += String(decoding: chunk, as: UTF8.self)
        }
        // Drains what the peer prints later so that it never blocks on a full pipe, into the
        // file SCIMSYNC_SQLSERVER_PEER_LOG names if set (the peer reports its own failures on
        // stderr).
        let logPath = shared ? ProcessInfo.processInfo.environment["SCIMSYNC_SQLSERVER_PEER_LOG"] ?? "" : ""
        if !logPath.isEmpty {
            _ = FileManager.default.createFile(atPath: logPath, contents: Data(text.utf8))
        }
        let log = logPath.isEmpty ? nil : FileHandle(forWritingAtPath: logPath)
        _ = try? log?.seekToEnd()
        reader.readabilityHandler = { handle in
            let data = handle.availableData
            if !data.isEmpty { log?.write(data) }
        }
        return SQLServerTestServer(
            host: "127.0.0.1", port: port, user: "sa", password: password, database: nil,
            processIdentifier: process.processIdentifier)
    }
}

import Foundation

/// A MariaDB server of one test's own, for what the shared server of scripts/test must not
/// suffer: being stopped and started again. Binlog on as scripts/test configures it; the
/// account `scimsync` (password `scimsync`) may do everything.
public final class PrivateMariaDB {
    public let directory: String
    public let port: Int
    private var process: Process?
    /// `binlog_row_metadata`: FULL as on the shared server, or MINIMAL (MySQL's default).
    public let rowMetadata: String

    public init(rowMetadata: String = "FULL") throws {
        self.rowMetadata = rowMetadata
        directory = NSTemporaryDirectory() + "scimsync-private-\(UUID().uuidString.prefix(8))"
        port = try TestServers.closedPort()
        try FileManager.default.createDirectory(atPath: directory + "/data", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory + "/tmp", withIntermediateDirectories: true)
        // Two bootstraps at once trip over each other's temporary tables: one at a time.
        Self.installLock.lock()
        defer { Self.installLock.unlock() }
        try Self.runToEnd(
            Self.program(["mariadb-install-db", "mysql_install_db"]),
            ["--no-defaults", "--datadir=\(directory)/data", "--auth-root-authentication-method=normal",
             "--skip-test-db"] + Self.userArguments)
        try start()
        try Self.runToEnd(
            Self.program(["mariadb", "mysql"]),
            ["--no-defaults", "--socket=\(directory)/mariadb.sock", "-uroot", "-e",
             "CREATE USER 'scimsync'@'127.0.0.1' IDENTIFIED BY 'scimsync'; "
                + "GRANT ALL PRIVILEGES ON *.* TO 'scimsync'@'127.0.0.1' WITH GRANT OPTION"])
    }

    public let user = "scimsync"
    public let password = "scimsync"

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    public func start() throws {
        let server = Process()
        server.executableURL = URL(fileURLWithPath: try Self.program(["mariadbd", "mysqld"], in: ["/usr/sbin"]))
        server.arguments = [
            "--no-defaults", "--datadir=\(directory)/data", "--socket=\(directory)/mariadb.sock", "--port=\(port)",
            "--bind-address=127.0.0.1", "--skip-name-resolve", "--log-bin=\(directory)/binlog",
            "--binlog-format=ROW", "--binlog-row-image=FULL", "--binlog-row-metadata=\(rowMetadata)", "--server-id=7",
            "--innodb-buffer-pool-size=32M", "--log-error=\(directory)/error.log", "--tmpdir=\(directory)/tmp",
        ] + Self.userArguments
        try server.run()
        process = server
        let deadline = Date().addingTimeInterval(60)
        while !Self.accepts(port: port) {
            guard server.isRunning, Date() < deadline else {
                throw PrivateMariaDBError.didNotStart((try? String(contentsOfFile: directory + "/error.log", encoding: .utf8)) ?? "")
            }
            Thread.sleep(forTimeInterval: 0.2)
        }
    }

    /// Stops the server the way an operator's restart does (SIGTERM) and waits for it to exit.
    public func stop() {
        guard let process, process.isRunning else { return }
        // A frozen server takes SIGTERM only once it runs again.
        kill(process.processIdentifier, SIGCONT)
        process.terminate()
        process.waitUntilExit()
        self.process = nil
    }

    /// Freezes the server (SIGSTOP): its connections stay open and the kernel still takes
    /// their bytes, but nothing answers, as with a paused host or a black-holed network.
    public func freeze() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGSTOP)
    }

    /// The server's process while it runs.
    public var processIdentifier: Int32? { process?.processIdentifier }

    /// Lets a frozen server go on (SIGCONT).
    public func thaw() {
        guard let process else { return }
        kill(process.processIdentifier, SIGCONT)
    }

    private static let installLock = NSLock()

    private static var userArguments: [String] { getuid() == 0 ? ["--user=root"] : [] }

    private static func accepts(port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    private static func program(_ names: [String], in extra: [String] = []) throws -> String {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map(String.init)
        for directory in extra + path + ["/usr/bin", "/usr/sbin"] {
            for name in names where FileManager.default.isExecutableFile(atPath: "\(directory)/\(name)") {
                return "\(directory)/\(name)"
            }
        }
        throw PrivateMariaDBError.missing(names.joined(separator: " or "))
    }

    private static func runToEnd(_ program: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw PrivateMariaDBError.failed(program, text) }
    }
}

public enum PrivateMariaDBError: Error, CustomStringConvertible {
    case missing(String)
    case failed(String, String)
    case didNotStart(String)

    public var description: String {
        switch self {
        case .missing(let name): "\(name) not found: install mariadb-server (scripts/test does)"
        case .failed(let program, let output): "\(program) failed: \(output.suffix(2000))"
        case .didNotStart(let log): "mariadbd did not start; its log ends: \(log.suffix(2000))"
        }
    }
}

import Foundation
import Synchronization
import SQLClients

/// Shared by the test targets: the servers scripts/test starts, found through the SCIMSYNC_TEST_* URLs it exports.
///
/// A missing variable fails the test (never skips it): a suite that silently skips its
/// integration tests passes without testing anything.
public struct TestServerURL: Sendable {
    public var scheme: String
    public var user: String
    public var password: String
    public var host: String
    public var port: Int
    public var database: String

    /// Reads `scheme://user:password@host:port/database`; user and password may be
    /// percent-encoded.
    public init?(_ text: String) {
        guard let schemeEnd = text.range(of: "://") else { return nil }
        scheme = String(text[..<schemeEnd.lowerBound])
        var rest = text[schemeEnd.upperBound...]
        guard let at = rest.lastIndex(of: "@") else { return nil }
        let credentials = rest[..<at]
        rest = rest[rest.index(after: at)...]
        let userPart = credentials.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        user = String(userPart[0]).removingPercentEncoding ?? String(userPart[0])
        password = userPart.count > 1 ? (String(userPart[1]).removingPercentEncoding ?? String(userPart[1])) : ""
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let address = rest[..<slash]
        database = slash < rest.endIndex ? String(rest[rest.index(after: slash)...]) : ""
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]) else {
            return nil
        }
        host = String(address[..<colon])
        self.port = port
    }

    public static func fromEnvironment(_ variable: String) throws -> TestServerURL {
        guard let text = ProcessInfo.processInfo.environment[variable], !text.isEmpty else {
            throw MissingTestServer(variable: variable, problem: "is not set")
        }
        guard let url = TestServerURL(text) else {
            throw MissingTestServer(variable: variable, problem: "is not a scheme://user:password@host:port/database URL")
        }
        return url
    }
}

public struct MissingTestServer: Error, CustomStringConvertible {
    public var variable: String
    public var problem: String
    public var description: String {
        "\(variable) \(problem): run the tests with scripts/test, which starts private MariaDB and "
            + "PostgreSQL servers and exports the SCIMSYNC_TEST_* URLs"
    }
}

public enum TestServers {
    public static func mariaDBURL() throws -> TestServerURL {
        try TestServerURL.fromEnvironment("SCIMSYNC_TEST_MARIADB_URL")
    }

    public static func postgresURL() throws -> TestServerURL {
        try TestServerURL.fromEnvironment("SCIMSYNC_TEST_POSTGRES_URL")
    }

    public static func mariaDB(allowsLocalInfile: Bool = false) throws -> MariaDBConnection {
        let url = try mariaDBURL()
        return try MariaDBConnection(
            host: url.host, port: url.port, user: url.user, password: url.password, database: url.database,
            allowsLocalInfile: allowsLocalInfile
        )
    }

    public static func postgres() throws -> PostgresConnection {
        let url = try postgresURL()
        return try PostgresConnection(
            host: url.host, port: url.port, user: url.user, password: url.password, database: url.database
        )
    }

    /// A table or schema name no other test (or earlier run) uses: tests run in parallel
    /// against the same databases.
    public static func uniqueName(_ prefix: String) -> String {
        "\(prefix)_\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// A TCP port on 127.0.0.1 that was free a moment ago (bound, then released): for a server
    /// the test starts there. Nothing keeps another process or test from taking it meanwhile;
    /// a test that needs a port where nothing answers takes ``refusingPort()``.
    public static func closedPort() throws -> Int {
        let (descriptor, port) = try boundSocket()
        close(descriptor)
        return port
    }

    /// A TCP port on 127.0.0.1 where nothing listens, for as long as the tests run: the
    /// socket stays bound (not listening, and without SO_REUSEADDR, so no other socket can
    /// bind the port), and a connection there is refused. A port found free and released
    /// again can be taken by another test's server before it is dialled, which then answers.
    public static func refusingPort() throws -> Int {
        let (descriptor, port) = try boundSocket()
        heldSockets.withLock { $0.append(descriptor) }
        return port
    }

    /// A TCP port on 127.0.0.1 that accepts connections and never answers, for as long as the
    /// tests run: the socket listens and nothing accepts, so the kernel completes each
    /// connection and whatever the client sends waits unread (a stopped or overloaded server).
    public static func silentPort() throws -> Int {
        let (descriptor, port) = try boundSocket()
        guard listen(descriptor, 16) == 0 else {
            close(descriptor)
            throw POSIXError(.EIO)
        }
        heldSockets.withLock { $0.append(descriptor) }
        return port
    }

    /// The sockets of ``refusingPort()`` and ``silentPort()``, never closed: the process's end
    /// releases them.
    private static let heldSockets = Mutex<[Int32]>([])

    /// A TCP socket bound to a free port of 127.0.0.1, and the port.
    private static func boundSocket() throws -> (descriptor: Int32, port: Int) {
        #if os(Linux)
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(descriptor, generic, length) == 0 && getsockname(descriptor, generic, &length) == 0
            }
        }
        guard bound else {
            close(descriptor)
            throw POSIXError(.EADDRINUSE)
        }
        return (descriptor, Int(UInt16(bigEndian: address.sin_port)))
    }
}

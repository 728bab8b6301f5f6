import Foundation
import SQLClients
import TestSupport

/// A PostgreSQL server of one test's own, for what the shared server of scripts/test must not
/// suffer: being stopped and started again. Trust authentication on 127.0.0.1 for the
/// `postgres` role (any password), database `postgres`. The server refuses to run as root, so
/// as root it runs as the `postgres` OS user, in a directory that user owns.
final class PrivatePostgres {
    let directory: String
    let port: Int
    let user = "postgres"
    let password = "unused"
    let database = "postgres"
    private let bin: String

    init() throws {
        bin = try Self.binDirectory()
        directory = NSTemporaryDirectory() + "scimsync-pg-\(UUID().uuidString.prefix(8))"
        port = try TestServers.closedPort()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if getuid() == 0 { try Self.runToEnd("/bin/chown", ["postgres:", directory]) }
        try run("initdb", ["-D", "\(directory)/data", "-U", "postgres", "-E", "UTF8", "--locale=C", "--auth=trust"])
        try start()
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Starts the server. A start whose server exits at once ("stopped waiting": on a loaded
    /// machine the port can be held for a moment by another process's connection, which takes
    /// its local port from the same range) is tried again, up to three times; the last
    /// failure carries the end of the server's log, which says why.
    func start() throws {
        var attempt = 1
        while true {
            do {
                try run("pg_ctl", [
                    "-D", "\(directory)/data", "-l", "\(directory)/postgres.log", "-w", "-t", "120",
                    "-o", "-c listen_addresses=127.0.0.1 -p \(port) -k \(directory) -c fsync=off", "start",
                ])
                return
            } catch {
                guard attempt < 3 else {
                    let log = (try? String(contentsOfFile: "\(directory)/postgres.log", encoding: .utf8)) ?? ""
                    throw PrivateMariaDBError.failed("pg_ctl start", "\(error); the server's log ends: \(log.suffix(2_000))")
                }
                attempt += 1
                // A pause before trying again, not a wait for an event: what held the port
                // gives no signal when it lets go.
                Thread.sleep(forTimeInterval: 2)
            }
        }
    }

    /// Stops the server the way an operator's restart does (`pg_ctl stop -m fast`: clients are
    /// disconnected, open transactions rolled back) and waits for it to exit, however long a
    /// loaded machine takes: until its pid file is gone, at most ten minutes.
    func stop() {
        try? run("pg_ctl", ["-D", "\(directory)/data", "-m", "fast", "-w", "-t", "600", "stop"])
    }

    func connection() throws -> PostgresConnection {
        try PostgresConnection(host: "127.0.0.1", port: port, user: user, password: password, database: database)
    }

    private func run(_ program: String, _ arguments: [String]) throws {
        let path = "\(bin)/\(program)"
        if getuid() == 0 {
            try Self.runToEnd("/usr/sbin/runuser", ["-u", "postgres", "--", path] + arguments)
        } else {
            try Self.runToEnd(path, arguments)
        }
    }

    /// The newest /usr/lib/postgresql/*/bin.
    private static func binDirectory() throws -> String {
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        guard let newest = versions.compactMap(Int.init).max() else {
            throw PrivateMariaDBError.missing("PostgreSQL server programs in \(root)/*/bin (install postgresql)")
        }
        return "\(root)/\(newest)/bin"
    }

    /// Output goes to a file, not a pipe: the server pg_ctl starts inherits its descriptors,
    /// and a pipe would then never reach its end. Spawned and waited for with posix_spawn and
    /// waitpid: Foundation's Process did not notice `runuser` exit once the server it started
    /// lived on (the child stayed a zombie and waitUntilExit never returned).
    private static func runToEnd(_ program: String, _ arguments: [String]) throws {
        let outputPath = NSTemporaryDirectory() + "scimsync-pg-output-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([program] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, program, &actions, nil, argv, environ)
        guard spawned == 0 else { throw PrivateMariaDBError.failed(program, "posix_spawn: \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1, errno == EINTR {}
        // WIFEXITED and WEXITSTATUS, spelled out (the C macros are not imported).
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
            throw PrivateMariaDBError.failed(program, "status \(status): \(text)")
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CFreeTDS
import Foundation

/// db-lib's process-wide state, set up once: dbinit, the message and error handlers, and the
/// configuration file every connection of this process reads.
///
/// Swift initialises a global exactly once, atomically, so concurrent first connections do not
/// race through dbinit ("dbinit must be called before any other db-lib function", db-lib
/// reference).
enum FreeTDSLibrary {
    /// The thread-specific slot through which the handlers find the collector of a connection
    /// that dbopen is still opening (its DBPROCESS has no user data yet).
    static let openingCollectorKey: pthread_key_t = {
        var key = pthread_key_t()
        precondition(pthread_key_create(&key, nil) == 0, "pthread_key_create failed")
        return key
    }()

    /// Whether dbinit succeeded; the handlers and the configuration file are set up with it.
    static let initialised: Bool = {
        _ = openingCollectorKey
        guard dbinit() == SUCCEED else { return false }
        _ = dberrhandle(libraryErrorHandler)
        _ = dbmsghandle(serverMessageHandler)
        return true
    }()

    /// The configuration sections written so far, by their content, and the file holding them.
    private static let sections = FreeTDSConfigurationFile()

    /// The name of a freetds.conf section holding `server`'s settings, for dbopen.
    static func section(for server: FreeTDSServerSection) throws -> String {
        try sections.section(for: server)
    }
}

/// The settings db-lib takes only from a freetds.conf section, not from a LOGINREC: the
/// encryption level (dbsetlbool answers FAIL for DBSETENCRYPT, src/dblib/dblib.c), the connect
/// and query timeouts (dbsetlogintime and dbsettime are process-wide), the text size, and the
/// address itself (dbopen's server name names a section).
struct FreeTDSServerSection: Hashable {
    var host: String
    var port: Int
    var encryption: SQLServerEncryption
    var connectTimeout: Int
    /// Seconds; 0 for no limit.
    var queryTimeout: Int

    /// The section's lines. "text size": SQL Server cuts (n)varchar(max), text and image values
    /// in results to the session's TEXTSIZE, which FreeTDS sets at login from this setting
    /// (64512 bytes by default); the largest value, 2^31 - 1, lets every value through whole.
    func lines(name: String) -> [String] {
        [
            "[\(name)]",
            "host = \(host)",
            "port = \(port)",
            "tds version = 7.4",
            "encryption = \(encryption.rawValue)",
            "connect timeout = \(connectTimeout)",
            "timeout = \(queryTimeout)",
            "text size = 2147483647",
            "client charset = UTF-8",
            "use utf-16 = yes",
        ]
    }
}

/// The configuration file, removed with its directory when the process exits. Written once,
/// under the file's lock, before the exit handler that reads it is registered.
private nonisolated(unsafe) var configurationPathToRemove: String?

/// A freetds.conf of this process's own, in a private temporary directory, named with
/// dbsetifile. FreeTDS reads "a file set programmatically" first and then no other
/// (src/tds/config.c, tds_read_conf_file), so ~/.freetds.conf and /etc/freetds cannot change
/// how scimsync connects. Sections are only ever added; the file is replaced whole by rename,
/// so a dbopen on another thread reads either the old or the new file, never half of one.
final class FreeTDSConfigurationFile: Sendable {
    private struct State {
        var path: String?
        var names: [FreeTDSServerSection: String] = [:]
    }

    private let state = NSLock()
    private nonisolated(unsafe) var contents = State()

    init() {}

    func section(for server: FreeTDSServerSection) throws -> String {
        // A host is written into the file: one with characters the file format gives meaning to
        // could add settings of its own.
        let forbidden: Set<Character> = ["\n", "\r", "[", "]", ";", "#", "=", "\0"]
        if server.host.isEmpty || server.host.contains(where: forbidden.contains) {
            throw SQLServerError(
                kind: .cannotConnect(host: server.host, port: server.port), number: 0,
                message: "the host name contains characters a host name cannot have", operation: .connect
            )
        }
        state.lock()
        defer { state.unlock() }
        if let name = contents.names[server] { return name }
        let path = try contents.path ?? createDirectory()
        let name = "scimsync-\(contents.names.count + 1)"
        var names = contents.names
        names[server] = name
        var text = "[global]\n"
        for (section, sectionName) in names.sorted(by: { $0.value < $1.value }) {
            text += section.lines(name: sectionName).joined(separator: "\n    ") + "\n"
        }
        do {
            let temporary = path + ".new"
            try text.write(toFile: temporary, atomically: false, encoding: .utf8)
            guard rename(temporary, path) == 0 else {
                throw CocoaError(.fileWriteUnknown)
            }
        } catch {
            throw SQLServerError(
                kind: .other, number: 0, message: "cannot write FreeTDS's configuration file \(path): \(error)",
                operation: .connect
            )
        }
        if contents.path == nil {
            contents.path = path
            configurationPathToRemove = path
            atexit {
                guard let path = configurationPathToRemove else { return }
                unlink(path)
                rmdir(String(path.dropLast("/freetds.conf".count)))
            }
            // db-lib keeps its own copy of the name (tds_set_interfaces_file_loc strdups it).
            path.withCString { dbsetifile(UnsafeMutablePointer(mutating: $0)) }
        }
        contents.names = names
        return name
    }

    private func createDirectory() throws -> String {
        var template = Array((NSTemporaryDirectory() + "/scimsync-freetds-XXXXXX").utf8CString)
        let created = template.withUnsafeMutableBufferPointer { buffer in mkdtemp(buffer.baseAddress!) }
        guard created != nil else {
            throw SQLServerError(
                kind: .other, number: Int(errno), message: "cannot create a directory for FreeTDS's configuration",
                operation: .connect
            )
        }
        let directory = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return directory + "/freetds.conf"
    }
}

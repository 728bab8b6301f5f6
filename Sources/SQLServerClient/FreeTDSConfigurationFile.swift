#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CFreeTDS
import Foundation

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
        let temporary = NSTemporaryDirectory()
        Self.removeDirectoriesOfEndedProcesses(in: temporary)
        var template = Array((temporary + "/\(Self.directoryPrefix)\(getpid())-XXXXXX").utf8CString)
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

    /// How each process's directory is named: the prefix, the process id, a dash and mkdtemp's
    /// six characters.
    static let directoryPrefix = "scimsync-freetds-"

    /// Removes the directories, and their configuration files, of processes that have ended
    /// without their exit handler (killed, or crashed): each directory is named after its
    /// process, so the next process that writes one finds them. A directory of a process that
    /// is still running, of another user's process, or named otherwise is left alone.
    static func removeDirectoriesOfEndedProcesses(in temporary: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: temporary) else { return }
        for name in names where name.hasPrefix(directoryPrefix) {
            let rest = name.dropFirst(directoryPrefix.count).split(separator: "-", omittingEmptySubsequences: false)
            guard rest.count == 2, rest[1].count == 6, let pid = pid_t(rest[0]), pid > 0, pid != getpid() else { continue }
            // ESRCH: no such process. EPERM means one runs under that id (another user's).
            guard kill(pid, 0) != 0, errno == ESRCH else { continue }
            let directory = temporary + "/" + name
            unlink(directory + "/freetds.conf")
            unlink(directory + "/freetds.conf.new")
            rmdir(directory)
        }
    }
}

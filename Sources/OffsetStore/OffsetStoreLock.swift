import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One writer per offset store: an exclusive advisory lock on the sibling file
/// `<offsets.path>.lock`, held for as long as this value lives (the process's life for
/// `scimsync run`). Two daemons on one store would each stream from the stored position and
/// overwrite each other's offsets; the second one must refuse to start instead.
///
/// The lock is `flock(2)`, not `fcntl(2)`: "Locks created by flock() are associated with an
/// open file description" (flock(2)), so two `OffsetStoreLock`s in one process exclude each
/// other as two processes do, and closing some other descriptor of the file (as SQLite does
/// with its own files) cannot drop it. fcntl locks belong to the process and vanish when it
/// closes *any* descriptor of the file. The kernel drops the lock when the holder exits, however
/// it exits (kill -9 included), so no stale lock outlives a crash; the file itself stays and is
/// never removed, since removing it would let a newcomer lock a fresh file beside a holder
/// still locking the old one.
///
/// The holder writes who it is (pid, host, command, since when) into the file, so that the
/// refused one can say whom to stop. Readers of the store (`status`, `check`) take no lock.
public final class OffsetStoreLock: Sendable {
    /// The offset store's path (`offsets.path`).
    public let storePath: String
    /// The lock file: `storePath` + `.lock`.
    public let path: String
    /// Who holds it: this process.
    public let holder: OffsetStoreLockHolder
    private let descriptor: Int32

    /// The lock file of the store at `storePath`: beside the file the path leads to, its
    /// symbolic links followed, so that two spellings of one store (a link to it, a linked
    /// directory, `..`) lock one file.
    public static func lockPath(forStore storePath: String) -> String {
        URL(fileURLWithPath: storePath).standardizedFileURL.resolvingSymlinksInPath().path + ".lock"
    }

    /// Takes the lock of the store at `storePath` without waiting.
    ///
    /// - Parameters:
    ///   - command: what this process is, for the one who is refused (`scimsync run`).
    ///   - now: when the lock was taken.
    /// - Throws: `.inUse` naming the holder when another process (or another
    ///   `OffsetStoreLock` of this one) holds it; `.cannotLock` when the file cannot be opened
    ///   or locked (a missing directory, no permission).
    public init(storePath: String, command: String, now: Date = Date()) throws(OffsetStoreLockError) {
        self.storePath = storePath
        path = Self.lockPath(forStore: storePath)
        // O_CLOEXEC: a child process must not inherit the descriptor, or the lock would
        // outlive this process in it.
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw .cannotLock(path: path, reason: String(cString: strerror(errno)))
        }
        var result: Int32
        repeat { result = flock(descriptor, LOCK_EX | LOCK_NB) } while result != 0 && errno == EINTR
        guard result == 0 else {
            let code = errno
            defer { close(descriptor) }
            guard code == EWOULDBLOCK else {
                throw .cannotLock(path: path, reason: String(cString: strerror(code)))
            }
            throw .inUse(storePath: storePath, holder: Self.readHolder(descriptor))
        }
        holder = OffsetStoreLockHolder(
            pid: Int(getpid()), host: Self.hostName(), command: command, since: Self.timestamp(now))
        let text = Array(holder.fileText.utf8)
        // Truncate, then write: the previous holder's text (it exited) must not show through.
        let written = ftruncate(descriptor, 0) == 0 ? text.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) } : -1
        guard written == text.count else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw .cannotLock(path: path, reason: "cannot write the holder's description: \(reason)")
        }
        self.descriptor = descriptor
    }

    deinit {
        // Empty the file while still holding the lock, so that nobody reads this holder's
        // description after it is gone; then closing the only descriptor of this open file
        // description releases the lock.
        _ = ftruncate(descriptor, 0)
        close(descriptor)
    }

    /// The holder's description as written into the lock file, or nil when there is none yet:
    /// the holder takes the lock before it writes, so a newcomer arriving in between finds the
    /// file empty, or holding the text of a holder that was killed (a clean exit empties it);
    /// a short wait covers that gap.
    private static func readHolder(_ descriptor: Int32) -> OffsetStoreLockHolder? {
        let host = hostName()
        for attempt in 0..<50 {
            if attempt > 0 { usleep(10_000) }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
            guard count > 0,
                let holder = OffsetStoreLockHolder(fileText: String(decoding: buffer[..<count], as: UTF8.self))
            else { continue }
            // A process of this host that no longer exists is not the holder (kill(2): "If sig
            // is 0, then no signal is sent, but existence and permission checks are still
            // performed"; ESRCH: no such process).
            if holder.host == host, kill(pid_t(holder.pid), 0) != 0, errno == ESRCH { continue }
            return holder
        }
        return nil
    }

    private static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}

/// Who holds an offset store's lock, as its lock file says.
public struct OffsetStoreLockHolder: Sendable, Hashable, CustomStringConvertible {
    public var pid: Int
    public var host: String
    /// What the holder is, e.g. `scimsync run`.
    public var command: String
    /// When it took the lock (ISO 8601, UTC).
    public var since: String

    public init(pid: Int, host: String, command: String, since: String) {
        self.pid = pid
        self.host = host
        self.command = command
        self.since = since
    }

    /// "scimsync run (pid 123 on host h, since 2026-12-01T23:07:14Z)"
    public var description: String {
        "\(command) (pid \(pid) on host \(host), since \(since))"
    }

    /// The lock file's content: one `key: value` line each, for people who `cat` it too.
    var fileText: String {
        "pid: \(pid)\nhost: \(host)\ncommand: \(command)\nsince: \(since)\n"
    }

    /// Reads `fileText`; nil when a field is missing (a holder still writing).
    init?(fileText: String) {
        var fields: [String: String] = [:]
        for line in fileText.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            fields[String(line[..<colon])] = value
        }
        guard let pid = fields["pid"].flatMap({ Int($0) }), let host = fields["host"], let command = fields["command"],
            let since = fields["since"]
        else { return nil }
        self.init(pid: pid, host: host, command: command, since: since)
    }
}

/// Why an offset store's lock could not be taken.
public enum OffsetStoreLockError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Another process (described when it said who it is) writes to the store.
    case inUse(storePath: String, holder: OffsetStoreLockHolder?)
    /// The lock file could not be opened, written or locked.
    case cannotLock(path: String, reason: String)

    public var description: String {
        switch self {
        case .inUse(let storePath, let holder):
            let who = holder.map { "\($0)" } ?? "another process (it has not said which)"
            return "the offset store \(storePath) is in use by \(who); stop it first, or give this configuration "
                + "its own offsets.path"
        case .cannotLock(let path, let reason):
            return "cannot lock the offset store's lock file \(path): \(reason); check that its directory exists "
                + "and is writable"
        }
    }
}

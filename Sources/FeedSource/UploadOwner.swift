import Foundation

/// A process on this machine that holds an upload until it is read: an upload that arrives in
/// one request (or one `scimsync feed upload`) is lost with the process receiving it, and a run
/// being read is left half read when its reader stops.
///
/// Named by process id and the kernel's start time of that process, so that a later process
/// given the same id is not taken for it; by the boot, since a restart of the machine ends
/// every process; and by the process-id namespace, since a process in another container (one
/// sharing the feed's directory) cannot be seen from this one and is then never judged gone.
public struct UploadOwner: Sendable, Hashable, CustomStringConvertible {
    public var pid: Int32
    /// Field 22 of `/proc/PID/stat`: "the time the process started after system boot, in clock
    /// ticks" (proc(5)).
    public var startTime: UInt64
    /// `/proc/sys/kernel/random/boot_id`: "a random string that changes at each boot" (proc(5)).
    public var boot: String
    /// The target of `/proc/self/ns/pid` (`pid:[4026531836]`): processes of one namespace see
    /// each other's ids.
    public var namespace: String

    public init(pid: Int32, startTime: UInt64, boot: String = current.boot, namespace: String = current.namespace) {
        self.pid = pid
        self.startTime = startTime
        self.boot = boot
        self.namespace = namespace
    }

    /// This process.
    public static let current: UploadOwner = {
        let boot = (try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8)) ?? ""
        let namespace = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/pid")) ?? ""
        return UploadOwner(
            pid: getpid(), startTime: startTime(of: getpid()) ?? 0,
            boot: boot.trimmingCharacters(in: .whitespacesAndNewlines), namespace: namespace)
    }()

    /// As the feed store keeps it: `PID STARTTIME BOOT NAMESPACE`.
    public var description: String { "\(pid) \(startTime) \(boot) \(namespace)" }

    /// Parses ``description``; nil for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 4, let pid = Int32(parts[0]), pid > 0, let start = UInt64(parts[1]) else { return nil }
        self.init(pid: pid, startTime: start, boot: String(parts[2]), namespace: String(parts[3]))
    }

    /// Whether the process may still run. One of an earlier boot does not; one of another
    /// namespace, or whose start time cannot be read though its entry is there, counts as
    /// running: an upload is never taken from a live process.
    public var isRunning: Bool {
        let here = Self.current
        guard boot == here.boot, !boot.isEmpty else { return boot.isEmpty || here.boot.isEmpty }
        guard namespace == here.namespace else { return true }
        guard let start = Self.startTime(of: pid) else {
            // No /proc entry: the process is gone.
            return FileManager.default.fileExists(atPath: "/proc/\(pid)")
        }
        return start == startTime
    }

    /// The start time in `/proc/PID/stat`, nil when it cannot be read.
    static func startTime(of pid: Int32) -> UInt64? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return nil }
        // "(2) comm ... The filename of the executable, in parentheses": it may hold spaces and
        // parentheses itself, so the fields are counted from the last ')'; the next is field 3.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 19 else { return nil }
        return UInt64(fields[19])
    }
}

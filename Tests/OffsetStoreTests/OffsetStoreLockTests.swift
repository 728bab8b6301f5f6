import Foundation
import OffsetStore
import Testing

/// The one-writer lock of an offset store: refused while held (in this process too, as flock
/// locks belong to an open file description), named holder, released with its holder.
@Suite struct OffsetStoreLockTests {
    private func storePath() -> String {
        NSTemporaryDirectory() + "scimsync-lock-\(UUID().uuidString).db"
    }

    @Test func aSecondLockIsRefusedAndNamesTheHolder() throws {
        let path = storePath()
        defer { try? FileManager.default.removeItem(atPath: OffsetStoreLock.lockPath(forStore: path)) }
        let since = Date(timeIntervalSince1970: 1_796_000_000)
        let first = try OffsetStoreLock(storePath: path, command: "scimsync run", now: since)
        #expect(first.holder.pid == Int(getpid()))
        #expect(first.holder.since == "2026-11-30T00:53:20Z")
        #expect(FileManager.default.fileExists(atPath: path + ".lock"))

        let error = #expect(throws: OffsetStoreLockError.self) {
            _ = try OffsetStoreLock(storePath: path, command: "scimsync reconcile")
        }
        guard case .inUse(let store, let holder)? = error else {
            Issue.record("not refused as in use: \(String(describing: error))")
            return
        }
        #expect(store == path)
        #expect(holder == first.holder)
        #expect(error?.description == "the offset store \(path) is in use by scimsync run (pid \(getpid()) on host "
            + "\(first.holder.host), since 2026-11-30T00:53:20Z); stop it first, or give this configuration its own offsets.path")
        withExtendedLifetime(first) {}
    }

    /// A symbolic link to the store is the same store: the second opener is refused.
    @Test func aLinkToTheStoreLocksTheSameFile() throws {
        let path = storePath()
        let link = path + "-link"
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: path)
        defer {
            for file in [path, link, OffsetStoreLock.lockPath(forStore: path)] { try? FileManager.default.removeItem(atPath: file) }
        }
        #expect(OffsetStoreLock.lockPath(forStore: link) == OffsetStoreLock.lockPath(forStore: path))
        let first = try OffsetStoreLock(storePath: path, command: "scimsync run")
        #expect(throws: OffsetStoreLockError.self) { try OffsetStoreLock(storePath: link, command: "scimsync run") }
        withExtendedLifetime(first) {}
    }

    @Test func theLockIsFreeOnceItsHolderIsGoneAndNamesTheNewHolder() throws {
        let path = storePath()
        defer { try? FileManager.default.removeItem(atPath: OffsetStoreLock.lockPath(forStore: path)) }
        var first: OffsetStoreLock? = try OffsetStoreLock(storePath: path, command: "a command with a much longer name")
        #expect(first != nil)
        first = nil
        let second = try OffsetStoreLock(storePath: path, command: "scimsync run")
        // The file holds the new holder only: the longer text of the old one was truncated.
        let text = try String(contentsOfFile: second.path, encoding: .utf8)
        #expect(text == "pid: \(getpid())\nhost: \(second.holder.host)\ncommand: scimsync run\nsince: \(second.holder.since)\n")
    }

    /// Another process's lock (util-linux `flock`, which takes flock(2) locks and writes nothing
    /// into the file) refuses us; killing it with SIGKILL frees the lock at once.
    @Test func aKilledHolderLeavesNoStaleLock() throws {
        let flock = "/usr/bin/flock"
        guard FileManager.default.isExecutableFile(atPath: flock) else {
            Issue.record("no \(flock) (util-linux) to hold a lock from another process")
            return
        }
        let path = storePath()
        let lockPath = OffsetStoreLock.lockPath(forStore: path)
        defer { try? FileManager.default.removeItem(atPath: lockPath) }
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: flock)
        // --no-fork: flock(1) becomes the command, so the process we kill is the holder.
        holder.arguments = ["--exclusive", "--no-fork", lockPath, "/bin/sleep", "300"]
        try holder.run()
        defer { if holder.isRunning { kill(holder.processIdentifier, SIGKILL) } }

        // Wait (at most 60 s) until the other process holds the lock.
        var refusal: OffsetStoreLockError?
        let deadline = Date().addingTimeInterval(60)
        while refusal == nil, Date() < deadline {
            do {
                _ = try OffsetStoreLock(storePath: path, command: "scimsync run")
                usleep(20_000)
            } catch {
                refusal = error
            }
        }
        #expect(refusal == .inUse(storePath: path, holder: nil))
        #expect(refusal?.description.contains("in use by another process (it has not said which)") == true)

        kill(holder.processIdentifier, SIGKILL)
        holder.waitUntilExit()
        // The kernel dropped the lock with the process: no waiting, no cleaning up.
        let taken = try OffsetStoreLock(storePath: path, command: "scimsync run")
        #expect(taken.holder.pid == Int(getpid()))
    }

    @Test func readersOpenTheStoreWhileTheLockIsHeld() throws {
        let path = storePath()
        defer {
            removeStore(at: path)
        }
        let lock = try OffsetStoreLock(storePath: path, command: "scimsync run")
        let writer = try OffsetStore(path: path)
        try writer.commit(position: .changeTracking(version: 3), pipeline: "p")
        // `status` opens the store without the lock.
        #expect(try OffsetStore(path: path).position(pipeline: "p") == .changeTracking(version: 3))
        withExtendedLifetime(lock) {}
    }

    @Test func aMissingDirectoryIsReportedWithThePath() {
        let path = "/nonexistent-\(UUID().uuidString)/offsets.db"
        #expect(throws: OffsetStoreLockError.cannotLock(path: path + ".lock", reason: "No such file or directory")) {
            _ = try OffsetStoreLock(storePath: path, command: "scimsync run")
        }
    }
}

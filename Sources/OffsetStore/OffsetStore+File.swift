import Foundation
import GRDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which file a path leads to (its device and inode): the same path may lead to another file
/// once the first is deleted or replaced.
struct StoreFileIdentity: Sendable, Hashable {
    let device: UInt64
    let inode: UInt64

    /// The file at `path` now, symbolic links followed; nil when there is none.
    init?(ofFileAt path: String) {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        device = UInt64(status.st_dev)
        inode = UInt64(status.st_ino)
    }
}

extension OffsetStore {
    /// Whether `path` still leads to the file this store reads and writes.
    ///
    /// A store deleted while open (a cleaner of temporary files, a mistaken `rm`) goes on
    /// taking writes: in WAL mode SQLite writes to the deleted file and says nothing (it checks
    /// that the file was not moved only when it opens a rollback journal). Those writes die
    /// with the process, and the next start finds no position and no ledger: it loads
    /// everything again, and without `adopt` takes every row it wrote for one it did not
    /// create. `scimsync run` looks every few seconds.
    public var isAtItsPath: Bool {
        openedFile != nil && StoreFileIdentity(ofFileAt: path) == openedFile
    }

    /// Copies what the store holds into a new file at `path`, or beside it when another file
    /// is there now, and closes the store: the last thing a process does with a store that
    /// ``isAtItsPath`` says is gone. The copy is made aside and renamed into place, so that the
    /// path never holds half a store.
    ///
    /// - Returns: where the copy is: `path`, or `path.kept-<seconds since 1970>` beside another
    ///   file at `path`.
    /// - Throws: `.cannotWrite` naming the file that could not be written.
    public func writeBack(now: Date = Date()) throws(OffsetStoreError) -> String {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        // The whole state directory may be gone with the file.
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let copyPath = path + ".copy-\(getpid())"
        do {
            try? FileManager.default.removeItem(atPath: copyPath)
            let copy = try DatabaseQueue(path: copyPath)
            try queue.backup(to: copy)
            try copy.close()
            // Closed before the copy takes the path: closing checkpoints and removes the
            // `-wal` and `-shm` files by their names, which must not be the copy's.
            try queue.close()
        } catch {
            throw .cannotWrite(path: copyPath, reason: "\(error)")
        }
        let destination =
            StoreFileIdentity(ofFileAt: path) == nil ? path : path + ".kept-\(Int64(now.timeIntervalSince1970))"
        guard rename(copyPath, destination) == 0 else {
            throw .cannotWrite(path: destination, reason: String(cString: strerror(errno)))
        }
        return destination
    }
}

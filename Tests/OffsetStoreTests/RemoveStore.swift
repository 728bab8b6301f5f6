import Foundation

/// Removes a test's offset store: the database and what SQLite and the store keep beside it
/// (the write-ahead log, its shared memory index, a rollback journal, the lock file), which
/// removing the database alone leaves behind in the temporary directory.
func removeStore(at path: String) {
    for suffix in ["", "-wal", "-shm", "-journal", ".lock"] {
        try? FileManager.default.removeItem(atPath: path + suffix)
    }
}

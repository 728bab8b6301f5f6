import Connectors
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What `check` says of `offsets.path`: a SQLite file this user may read and write, or a
/// directory where it may create one. Only looked at, never opened or written: `check` changes
/// nothing, and the store may be in use by the daemon.
public enum OffsetStoreCheck {
    public static func run(path: String) -> ConnectorCheck {
        var status = stat()
        guard stat(path, &status) == 0 else {
            let directory = (path as NSString).deletingLastPathComponent
            let place = directory.isEmpty ? "." : directory
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: place, isDirectory: &isDirectory), isDirectory.boolValue else {
                return ConnectorCheck(
                    .failed, "offsets.path \(path): the directory \(place) does not exist: create it, or set offsets.path")
            }
            guard access(place, W_OK) == 0 else {
                return ConnectorCheck(
                    .failed, "offsets.path \(path): this user may not create files in \(place): give it write access, or set offsets.path")
            }
            return ConnectorCheck(.passed, "offsets.path \(path): created at the first run")
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            return ConnectorCheck(.failed, "offsets.path \(path) is not a file (a directory?): set offsets.path to a file's path")
        }
        guard access(path, R_OK | W_OK) == 0 else {
            return ConnectorCheck(.failed, "offsets.path \(path): this user may not read and write it: fix its owner or mode")
        }
        if status.st_size > 0 {
            let file = FileHandle(forReadingAtPath: path)
            defer { try? file?.close() }
            let header = (try? file?.read(upToCount: 16)) ?? nil
            guard header == Data("SQLite format 3\u{0}".utf8) else {
                return ConnectorCheck(
                    .failed,
                    "offsets.path \(path) is not a SQLite database (another file, or a damaged store): move it aside, "
                        + "or set offsets.path to the store's path")
            }
        }
        return ConnectorCheck(.passed, "offsets.path \(path): a SQLite database this user may read and write")
    }
}

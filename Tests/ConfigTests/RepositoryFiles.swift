import Foundation

/// Paths of files in this repository, found from this source file's location so tests run
/// from any working directory.
enum RepositoryFiles {
    static let root: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static func path(_ relative: String) -> String { root + "/" + relative }
}

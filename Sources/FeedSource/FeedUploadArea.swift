import Foundation
import SCIM

/// The directory that holds uploaded files, one subdirectory per run (`run-12/users.tsv`).
///
/// Uploads are personal data: retention (``FeedStore/pruneFiles(keep:in:)``) removes the files
/// of older runs, while the store keeps their names, sizes and digests.
public struct FeedUploadArea: Sendable, Hashable {
    /// The directory that holds every run's subdirectory.
    public var root: String

    public init(root: String) {
        self.root = root
    }

    /// The directory of a run's files.
    public func directory(of run: Int64) -> String {
        (root as NSString).appendingPathComponent("run-\(run)")
    }

    /// Where the file `name` of `run` is kept.
    public func path(of name: String, in run: Int64) -> String {
        (directory(of: run) as NSString).appendingPathComponent(name)
    }

    /// Stores an uploaded file's bytes for `run` (replacing an earlier upload of the same name).
    /// - Throws: ``FeedUploadNameError`` for a name that is not a plain file name: an upload
    ///   must never write outside its run's directory.
    public func write(_ bytes: some Sequence<UInt8>, named name: String, in run: Int64) throws {
        guard Self.isPlainName(name) else { throw FeedUploadNameError(name: name) }
        try FileManager.default.createDirectory(atPath: directory(of: run), withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: path(of: name, in: run)), options: .atomic)
    }

    /// The longest name an uploaded file may have, in bytes: file systems take 255, and the
    /// file is first written under its name with a suffix, then renamed.
    public static let maximumNameBytes = 200

    /// A name without directories that is not `.` or `..`, at most ``maximumNameBytes`` long,
    /// without control or format characters (a line break or a bidirectional override in a
    /// name would show as another name in a listing or a log) or unassigned code points.
    public static func isPlainName(_ name: String) -> Bool {
        guard !name.isEmpty, name != ".", name != "..", name.utf8.count <= maximumNameBytes else { return false }
        return name.unicodeScalars.allSatisfy { scalar in
            guard !LogText.isLayoutControl(scalar), scalar != "/", scalar != "\\" else { return false }
            return scalar.properties.generalCategory != .unassigned
        }
    }

    /// Removes a run's files; a run without any is fine.
    public func remove(run: Int64) throws {
        let directory = directory(of: run)
        if FileManager.default.fileExists(atPath: directory) {
            try FileManager.default.removeItem(atPath: directory)
        }
    }
}

extension FeedStore {
    /// Keeps the uploaded files of the `keep` newest runs and removes older ones' from `area`
    /// (never those of a run that is not final). The runs, their file names, sizes, digests and
    /// logs stay.
    /// - Returns: the runs whose files were removed now.
    @discardableResult
    public func pruneFiles(keep: Int, in area: FeedUploadArea) throws(FeedStoreError) -> [Int64] {
        precondition(keep >= 0, "keep is a number of runs")
        let candidates: [Int64] = try read { db in
            try Int64.fetchAll(
                db,
                sql: """
                    SELECT id FROM runs WHERE files_pruned = 0 AND state IN ('complete', 'cancelled', 'failure')
                      AND id NOT IN (SELECT id FROM runs ORDER BY id DESC LIMIT ?)
                    ORDER BY id
                    """, arguments: [keep])
        }
        for run in candidates {
            do {
                try area.remove(run: run)
            } catch {
                throw .database("cannot remove the files of run \(run) in \(area.root): \(error)")
            }
            try write { db in try db.execute(sql: "UPDATE runs SET files_pruned = 1 WHERE id = ?", arguments: [run]) }
        }
        return candidates
    }
}

/// An uploaded file's name that would leave the run's directory.
public struct FeedUploadNameError: Error, Sendable, Hashable, CustomStringConvertible {
    public var name: String

    public var description: String {
        "\"\(LogText.safe(name, limit: 80))\" is not a plain file name (at most \(FeedUploadArea.maximumNameBytes) bytes, no directories or control characters): a feed's files are named as the control file lists them"
    }
}

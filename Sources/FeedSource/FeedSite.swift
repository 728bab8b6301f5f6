import Foundation
import Synchronization

/// Everything of one pipeline's feed in one place: its control file, store, upload area and
/// ingest, opened from the pipeline's configuration. The daemon's connector applies runs
/// through it; the `scimsync feed` commands and the admin server's feed endpoints upload,
/// list, approve and cancel through it. Each may be another process: the store is safe to
/// open from several at once (``FeedStore``).
public final class FeedSite: Sendable {
    public let settings: FeedSourceConfig
    /// The pipeline the feed belongs to.
    public let pipeline: String
    /// Where the store (`feed.db`) and the runs' files (`files/run-N/`) are.
    public let directory: String
    public let store: FeedStore
    public let area: FeedUploadArea
    public let ingest: FeedIngest
    /// The files being received and the runs being read, per run, in this process: a run's
    /// files must not change while it is read, or its record (sizes, digests) would not be
    /// the files kept.
    private let uploads = Mutex(UploadGate())

    private struct UploadGate {
        var openWriters: [Int64: Int] = [:]
        var reading: Set<Int64> = []
    }

    public var control: FeedControl { settings.control }

    /// The feed store's file in a feed's directory.
    public static func storePath(in directory: String) -> String {
        (directory as NSString).appendingPathComponent("feed.db")
    }

    /// Opens the feed of `pipeline`, creating its directory and store when missing.
    /// - Parameter offsetsPath: the offset store's path (`offsets.path`): the default
    ///   directory is beside it.
    public init(settings: FeedSourceConfig, pipeline: String, offsetsPath: String) throws(FeedSiteError) {
        self.settings = settings
        self.pipeline = pipeline
        directory = settings.directory(pipeline: pipeline, offsetsPath: offsetsPath)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .cannotCreate(directory: directory, reason: "\(error)")
        }
        do throws(FeedStoreError) {
            store = try FeedStore(path: Self.storePath(in: directory))
        } catch {
            throw .store(error)
        }
        area = FeedUploadArea(root: (directory as NSString).appendingPathComponent("files"))
        ingest = FeedIngest(control: settings.control, store: store, area: area, rule: settings.safetyRule)
    }

    /// One file of an upload.
    public enum UploadFile: Sendable, Hashable {
        /// A file on this machine, uploaded under its own name (the last path component).
        case path(String)
        /// A file's bytes, under `name`.
        case bytes(name: String, Data)

        /// The name the file is uploaded under.
        public var name: String {
            switch self {
            case .path(let path): (path as NSString).lastPathComponent
            case .bytes(let name, _): name
            }
        }
    }

    /// What became of an upload: the run (as the store has it now) and whether it applies by
    /// itself, waits for approval or failed.
    public struct Staged: Sendable, Hashable {
        public var run: FeedRun
        public var outcome: FeedIngest.Outcome
        /// Files of the upload that the control file lists under no name or pattern: kept
        /// with the run, not read.
        public var unlistedFiles: [String] = []
    }

    /// Uploads `files` as a new run, reads them and applies the safety rule. A `ready` run
    /// that the rule lets through is applied by the pipeline at its next look; a held one
    /// waits for ``approve(run:by:)`` or ``cancel(run:)``.
    ///
    /// An upload that cannot be stored (a bad file name, a full disk) cancels its run and
    /// throws; an upload whose records cannot be read leaves a `failure` run with the reason.
    /// - Parameter startedBy: who or what uploaded (a user, `http 10.0.0.5`), for the history.
    public func stage(files: [UploadFile], startedBy: String) throws(FeedSiteError) -> Staged {
        let run = try beginUpload(startedBy: startedBy, receivedHere: true)
        do throws(FeedSiteError) {
            for file in files {
                switch file {
                case .path(let path):
                    let writer = try fileWriter(run: run, name: file.name)
                    try writer.copy(from: path)
                    try writer.close()
                case .bytes(let name, let data):
                    try FeedSiteError.wrap { try area.write(data, named: name, in: run) }
                }
            }
        } catch {
            try? store.cancel(run)
            throw error
        }
        return try finishUpload(run: run)
    }

    /// Starts a run whose files arrive one by one (``fileWriter(run:name:)``), for uploads
    /// that stream (an HTTP request body); ``finishUpload(run:)`` ends it, ``cancel(run:)``
    /// gives up on it.
    /// - Parameter receivedHere: this process receives every file of the run (one request,
    ///   one command), so that the upload is lost if it stops first: the daemon then fails
    ///   the run rather than leave it `uploading` (``recoverInterruptedUploads(isRunning:)``).
    ///   False for a run whose files may come from later requests.
    public func beginUpload(startedBy: String, receivedHere: Bool = false) throws(FeedSiteError) -> Int64 {
        try FeedSiteError.wrap { try store.createRun(startedBy: startedBy, owner: receivedHere ? .current : nil) }
    }

    /// A writer for the file `name` of an `uploading` run; bytes are appended as they come,
    /// so that a large export is never held in memory.
    public func fileWriter(run: Int64, name: String) throws(FeedSiteError) -> FeedFileWriter {
        guard let record = try FeedSiteError.wrap({ try store.run(run) }) else {
            throw .store(.noSuchRun(run))
        }
        guard record.state == .uploading else {
            throw .store(.illegal(IllegalRunTransition(run: run, state: record.state, event: .uploaded)))
        }
        guard FeedUploadArea.isPlainName(name) else { throw .badName(FeedUploadNameError(name: name)) }
        let admitted = uploads.withLock { gate -> Bool in
            guard !gate.reading.contains(run) else { return false }
            gate.openWriters[run, default: 0] += 1
            return true
        }
        guard admitted else { throw .busy("run \(run) is being read: its files can no longer change") }
        let release: @Sendable () -> Void = { [self] in
            uploads.withLock { gate in
                gate.openWriters[run, default: 1] -= 1
                if gate.openWriters[run] == 0 { gate.openWriters[run] = nil }
            }
        }
        do {
            return try FeedFileWriter(
                path: area.path(of: name, in: run), directory: area.directory(of: run), onEnd: release)
        } catch {
            release()
            throw error
        }
    }

    /// Every file is in: reads them into the store and applies the safety rule. Refused while
    /// a file of the run is still being received, and no file of it can be begun meanwhile.
    public func finishUpload(run: Int64) throws(FeedSiteError) -> Staged {
        let started = uploads.withLock { gate -> Bool in
            guard gate.openWriters[run] == nil, !gate.reading.contains(run) else { return false }
            gate.reading.insert(run)
            return true
        }
        guard started else {
            throw .busy("a file of run \(run) is still being received (or the run is being read): finish once every file is in")
        }
        defer { _ = uploads.withLock { $0.reading.remove(run) } }
        // Should this process stop while reading, the daemon reads the run again.
        try FeedSiteError.wrap { try store.beginReading(run, by: .current) }
        let outcome = try FeedSiteError.wrap { try ingest.finishUpload(run) }
        guard let record = try FeedSiteError.wrap({ try store.run(run) }) else {
            throw .store(.noSuchRun(run))
        }
        let control = self.control
        let unlisted = try fileNames(run: run).filter { name in !control.files.contains { $0.matches(name) } }
        return Staged(run: record, outcome: outcome, unlistedFiles: unlisted)
    }

    /// What became of an upload whose process stopped before it was read to its end.
    public struct InterruptedUpload: Sendable, Hashable {
        public var run: Int64
        public var owner: UploadOwner
        /// Read again (every file had come), or nil when the run failed: its files had not
        /// all come.
        public var reread: Staged?
        /// Why the run failed, when it did.
        public var failure: String?
    }

    /// The runs left `uploading` by a process that stopped: one that was being read (every
    /// file had come) is read again, here; one whose files were still coming in one request
    /// or command fails with the reason, since nobody can finish it. Without this, either
    /// would stay `uploading` and refuse every later upload until cancelled by hand.
    /// - Parameter isRunning: whether a process still runs (``UploadOwner/isRunning``).
    public func recoverInterruptedUploads(
        isRunning: (UploadOwner) -> Bool = { $0.isRunning }
    ) throws(FeedSiteError) -> [InterruptedUpload] {
        var recovered: [InterruptedUpload] = []
        for upload in try FeedSiteError.wrap({ try store.ownedUploads() }) where !isRunning(upload.owner) {
            if upload.reading {
                let staged: Staged
                do throws(FeedSiteError) {
                    staged = try finishUpload(run: upload.run)
                } catch .busy, .store(.illegal(_)) {
                    continue  // being read here already, or moved on meanwhile
                }
                recovered.append(InterruptedUpload(run: upload.run, owner: upload.owner, reread: staged, failure: nil))
            } else {
                let reason =
                    "the upload was interrupted: the process receiving it (\(upload.owner.pid)) stopped before "
                    + "every file had come; upload the files again"
                do throws(FeedStoreError) {
                    try store.fail(upload.run, reason: reason)
                } catch .illegal(_) {
                    continue
                } catch {
                    throw .store(error)
                }
                recovered.append(InterruptedUpload(run: upload.run, owner: upload.owner, reread: nil, failure: reason))
            }
        }
        return recovered
    }

    /// Approves a held `ready` run: the pipeline applies it at its next look.
    @discardableResult
    public func approve(run: Int64, by person: String) throws(FeedSiteError) -> FeedRun {
        try FeedSiteError.wrap { try store.approve(run, by: person) }
    }

    /// Cancels a run that has not started applying (`uploading` or `ready`).
    public func cancel(run: Int64) throws(FeedSiteError) {
        try FeedSiteError.wrap { try store.cancel(run) }
    }

    /// Every run, newest first.
    public func runs() throws(FeedSiteError) -> [FeedRun] {
        try FeedSiteError.wrap { try store.runs() }
    }

    public func run(_ id: Int64) throws(FeedSiteError) -> FeedRun? {
        try FeedSiteError.wrap { try store.run(id) }
    }

    /// The problems logged for a run (skipped records and why, users left alone).
    public func log(of run: Int64) throws(FeedSiteError) -> [FeedLogEntry] {
        try FeedSiteError.wrap { try store.log(of: run) }
    }

    /// Where the uploaded file `name` of `run` is kept.
    /// - Throws: ``FeedSiteError/noSuchFile(run:name:reason:)`` when the run has no such file,
    ///   or retention removed it.
    public func filePath(run: Int64, name: String) throws(FeedSiteError) -> String {
        guard let record = try self.run(run) else { throw .store(.noSuchRun(run)) }
        guard FeedUploadArea.isPlainName(name) else { throw .badName(FeedUploadNameError(name: name)) }
        let path = area.path(of: name, in: run)
        guard FileManager.default.fileExists(atPath: path) else {
            // The names kept, as a pattern's files are: the run's record names the pattern.
            let kept = (try? fileNames(run: run)) ?? []
            let reason =
                record.filesPruned
                ? "its files were removed by retention (keepFiles: \(settings.keepFiles))"
                : "it has \(kept.isEmpty ? "no files" : "the files \(kept.joined(separator: ", "))")"
            throw .noSuchFile(run: run, name: name, reason: reason)
        }
        return path
    }

    /// The names of the files kept for `run` (a pattern's every match), empty once pruned.
    public func fileNames(run: Int64) throws(FeedSiteError) -> [String] {
        guard try self.run(run) != nil else { throw .store(.noSuchRun(run)) }
        return ((try? FileManager.default.contentsOfDirectory(atPath: area.directory(of: run))) ?? [])
            .filter { !$0.hasPrefix(".") }.sorted()
    }

    /// What the feed knows of a userName (compared ignoring case).
    public func user(named userName: String) throws(FeedSiteError) -> KnownUser? {
        try FeedSiteError.wrap { try store.user(named: userName) }
    }

}

/// Appends one uploaded file's bytes to its place in a run's directory. The file appears
/// under its name only when closed, so that a reader never sees half an upload.
public final class FeedFileWriter {
    private let path: String
    private let partial: String
    private let handle: FileHandle
    private var closed = false
    /// Called once, when the file is closed or abandoned.
    private let onEnd: @Sendable () -> Void

    init(path: String, directory: String, onEnd: @escaping @Sendable () -> Void = {}) throws(FeedSiteError) {
        self.path = path
        self.onEnd = onEnd
        partial = (directory as NSString).appendingPathComponent(".\((path as NSString).lastPathComponent).part")
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: partial, contents: nil) else {
                throw CocoaError(.fileWriteUnknown)
            }
            handle = try FileHandle(forWritingTo: URL(fileURLWithPath: partial))
        } catch {
            throw .cannotWrite(path: path, reason: "\(error)")
        }
    }

    deinit {
        if !closed {
            try? handle.close()
            try? FileManager.default.removeItem(atPath: partial)
            onEnd()
        }
    }

    /// Appends bytes.
    public func write(_ bytes: some Sequence<UInt8>) throws(FeedSiteError) {
        do {
            try handle.write(contentsOf: Data(bytes))
        } catch {
            throw .cannotWrite(path: path, reason: "\(error)")
        }
    }

    /// Appends the whole file at `source`, a megabyte at a time.
    public func copy(from source: String) throws(FeedSiteError) {
        guard let input = FileHandle(forReadingAtPath: source) else {
            throw .cannotRead(path: source)
        }
        defer { try? input.close() }
        do {
            while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty {
                try handle.write(contentsOf: chunk)
            }
        } catch {
            throw .cannotWrite(path: path, reason: "\(error)")
        }
    }

    /// Ends the file: it now appears under its name (replacing an earlier upload of it).
    public func close() throws(FeedSiteError) {
        guard !closed else { return }
        closed = true
        defer { onEnd() }
        do {
            try handle.synchronize()
            try handle.close()
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
            try FileManager.default.moveItem(atPath: partial, toPath: path)
        } catch {
            try? FileManager.default.removeItem(atPath: partial)
            throw .cannotWrite(path: path, reason: "\(error)")
        }
    }
}

/// Why a feed could not do what was asked.
public enum FeedSiteError: Error, Sendable, Hashable, CustomStringConvertible {
    case cannotCreate(directory: String, reason: String)
    case store(FeedStoreError)
    /// An uploaded file's name that is not a plain file name.
    case badName(FeedUploadNameError)
    case cannotRead(path: String)
    case cannotWrite(path: String, reason: String)
    case noSuchFile(run: Int64, name: String, reason: String)
    /// A step that waits for another on the same run in this process (a file being received
    /// while the run is read).
    case busy(String)
    /// Reading an upload failed in a way that is not the records' fault (an I/O error).
    case ingest(String)

    public var description: String {
        switch self {
        case .cannotCreate(let directory, let reason): "cannot create the feed directory \(directory): \(reason)"
        case .store(let error): error.description
        case .badName(let error): error.description
        case .cannotRead(let path): "cannot read \(path): check the path and its permissions"
        case .cannotWrite(let path, let reason): "cannot store the uploaded file \(path): \(reason)"
        case .noSuchFile(let run, let name, let reason): "run \(run) has no file \(name): \(reason)"
        case .busy(let reason): reason
        case .ingest(let reason): "cannot read the upload: \(reason)"
        }
    }

    static func wrap<T>(_ body: () throws -> T) throws(FeedSiteError) -> T {
        do {
            return try body()
        } catch let error as FeedSiteError {
            throw error
        } catch let error as FeedStoreError {
            throw .store(error)
        } catch let error as FeedUploadNameError {
            throw .badName(error)
        } catch {
            throw .ingest("\(error)")
        }
    }
}

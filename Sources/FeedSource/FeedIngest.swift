import Foundation

/// Reads a run's uploaded files into the store and decides, by the safety rule, whether the
/// run may apply by itself: the step from `uploading` to `ready` (or to `failure` when a file
/// is missing or cannot be read to its end).
///
/// A run's whole life, as the pipeline will drive it:
/// 1. ``FeedStore/createRun(startedBy:now:)``, then the files into ``FeedUploadArea``;
/// 2. ``finishUpload(_:)``: records streamed into the store, problems logged, the safety rule
///    applied (`ready`, held with a reason, or `failure`);
/// 3. ``FeedStore/start(_:approvedBy:managedGroups:existingUserID:)``: the diff becomes the
///    run's plan (`running`);
/// 4. ``FeedStore/nextChunk(_:maxUsers:)`` → the target applies it →
///    ``FeedStore/chunkApplied(_:)``, until no chunk is left; after a crash,
///    ``FeedStore/runningRun()`` finds the run and step 4 goes on where it stopped;
/// 5. ``FeedStore/finish(_:)`` (`complete`), and ``FeedStore/pruneFiles(keep:in:)``.
public struct FeedIngest: Sendable {
    public var control: FeedControl
    public var store: FeedStore
    public var area: FeedUploadArea
    /// Decides whether a ready run may start without a person.
    public var rule: SafetyRule
    /// Records handed to the store per transaction.
    public var batchSize: Int

    public init(
        control: FeedControl, store: FeedStore, area: FeedUploadArea, rule: SafetyRule = SafetyRule(),
        batchSize: Int = 500
    ) {
        self.control = control
        self.store = store
        self.area = area
        self.rule = rule
        self.batchSize = batchSize
    }

    /// What became of an upload.
    public enum Outcome: Sendable, Hashable {
        /// Ready, and the safety rule lets it start by itself.
        case ready
        /// Ready, waiting for approval for this reason.
        case held(reason: String)
        /// Failed (missing or unreadable file); the reason is also the run's.
        case failed(reason: String)
    }

    /// Reads every file the control file names, from the run's directory in the upload area.
    /// Calling it again for a run still `uploading` (reading was interrupted) reads afresh.
    public func finishUpload(_ run: Int64) throws -> Outcome {
        try store.resetStaging(run)
        let mapper = FeedUserMapper(control: control)
        var infos: [FeedFileInfo] = []
        var names: [[String]] = []
        let uploaded = ((try? FileManager.default.contentsOfDirectory(atPath: area.directory(of: run))) ?? []).sorted()
        for spec in control.files {
            let matching = uploaded.filter(spec.matches)
            guard !matching.isEmpty else {
                let what = spec.isPattern ? "no uploaded file matches \(spec.name)" : "\(spec.name) was not uploaded"
                return try fail(run, files: infos, reason: "\(what); the control file lists it")
            }
            // A pattern counts as one file for the safety rule: its files' total size, and one
            // digest over their names and digests.
            var size: Int64 = 0
            var digests: [(name: String, digest: String)] = []
            for name in matching {
                let path = area.path(of: name, in: run)
                let attributes = try FileManager.default.attributesOfItem(atPath: path)
                size += (attributes[.size] as? NSNumber)?.int64Value ?? 0
                digests.append((name, try RecordDigest.ofFile(at: path)))
            }
            let digest = spec.isPattern ? RecordDigest.ofFileList(digests) : digests[0].digest
            infos.append(FeedFileInfo(name: spec.name, size: size, digest: digest))
            names.append(matching)
        }
        try store.recordFiles(run, files: infos)
        for (index, (spec, files)) in zip(control.files, names).enumerated() {
            var records = 0
            for file in files {
                let read = try read(spec, file: file, run: run, mapper: mapper)
                records += read.records
                if let fatal = read.fatal {
                    return try fail(run, files: infos, reason: fatal.description)
                }
            }
            infos[index].records = records
        }
        let previous = try store.lastCompleteRun().map { (run: $0.id, files: $0.files) }
        let decision = rule.decide(files: infos, previous: previous)
        try store.markUploaded(run, files: infos, decision: decision)
        switch decision {
        case .apply: return .ready
        case .hold(let reason): return .held(reason: reason)
        }
    }

    private func fail(_ run: Int64, files: [FeedFileInfo], reason: String) throws -> Outcome {
        try store.recordFiles(run, files: files)
        try store.fail(run, reason: reason)
        return .failed(reason: reason)
    }

    /// Streams one file into the store; returns how many records it read, and the fatal
    /// problem that stopped it, if one did.
    private func read(_ spec: FeedFileSpec, file: String, run: Int64, mapper: FeedUserMapper) throws -> (
        records: Int, fatal: RecordProblem?
    ) {
        let path = area.path(of: file, in: run)
        let reader: any FeedRecordReader
        switch spec.format {
        case .json(let shape): reader = JSONRecordReader(path: path, name: file, shape: shape)
        case .tsv(let separator, let charset):
            reader = TSVRecordReader(
                path: path, name: file, separator: separator, charset: charset,
                requiredNames: [control.userNameField] + control.requiredFields)
        case .xmlElements(let record):
            reader = XMLRecordReader(path: path, name: file, record: record, layout: .childElements)
        case .xmlAttributes(let record):
            reader = XMLRecordReader(path: path, name: file, record: record, layout: .attributes)
        }
        // A batch's records wait, in order, until the store says which of their users are
        // unchanged (one query per batch); only the others are mapped.
        var batch: [Pending] = []
        batch.reserveCapacity(batchSize)
        var fatal: RecordProblem?
        var records = 0
        let staging = BackgroundStaging(store: store, run: run)
        // Whatever ends the reading, nothing is left staging behind it.
        defer { staging.wait() }
        func flush() throws {
            try staging.stage(try staged(batch, mapper: mapper))
            batch = []
            batch.reserveCapacity(batchSize)
        }
        try reader.read { event in
            switch event {
            case .problem(let problem):
                if problem.isFatal, fatal == nil { fatal = problem }
                batch.append(.item(.problem(problem)))
            case .record(let record):
                records += 1
                switch mapper.identity(of: record) {
                case .success(let identity): batch.append(.identified(record, identity))
                case .failure(let problem): batch.append(.item(skipped(record, problem)))
                }
            }
            if batch.count >= batchSize { try flush() }
        }
        if !batch.isEmpty { try flush() }
        try staging.finish()
        return (records, fatal)
    }

    /// A record read, waiting for its batch's look-up.
    private enum Pending {
        case item(StagedItem)
        case identified(FeedRecord, FeedUserMapper.Identity)
    }

    /// The batch's items in order: a record whose user is unchanged by its digest staged as
    /// such, every other record mapped.
    private func staged(_ batch: [Pending], mapper: FeedUserMapper) throws -> [StagedItem] {
        let keys = batch.compactMap { pending -> String? in
            if case .identified(_, let identity) = pending { identity.key } else { nil }
        }
        let unchanged = try store.unchangedDigests(of: keys)
        return batch.map { pending in
            switch pending {
            case .item(let item): return item
            case .identified(let record, let identity):
                if unchanged[identity.key] == identity.digest {
                    return .unchanged(
                        key: identity.key, userName: identity.userName, digest: identity.digest, location: record.location)
                }
                switch mapper.user(from: record, identity: identity) {
                case .success(let user): return .user(user)
                case .failure(let problem): return skipped(record, problem)
                }
            }
        }
    }

    /// A record that cannot be mapped: skipped under its userName when it names one (the user
    /// is then kept as it is), a problem alone otherwise.
    private func skipped(_ record: FeedRecord, _ problem: RecordProblem) -> StagedItem {
        guard case .text(let userName)? = record[control.userNameField], !userName.allSatisfy(\.isWhitespace) else {
            return .problem(problem)
        }
        let trimmed = userName.trimmingBlanks()
        return .skipped(key: FeedUser.key(trimmed), userName: trimmed, problem)
    }
}

/// Stages an upload's batches on a thread of its own, in order and one at a time, while the
/// next batch is read and mapped (the staging inserts were a fifth of an upload's time, spent
/// while nothing was read). A batch that cannot be staged stops the upload at the next batch
/// or at the end with the store's error.
final class BackgroundStaging: @unchecked Sendable {
    private let store: FeedStore
    private let run: Int64
    private let queue = DispatchQueue(label: "scimsync.feed.staging")
    /// Taken while a batch is staging: at most one is.
    private let idle = DispatchSemaphore(value: 1)
    /// The error that stopped staging; written on the queue before `idle` is signalled, read
    /// only with `idle` taken.
    private var failure: FeedStoreError?

    init(store: FeedStore, run: Int64) {
        self.store = store
        self.run = run
    }

    /// Waits for the batch before to be staged, then stages `batch` behind the caller.
    func stage(_ batch: [StagedItem]) throws(FeedStoreError) {
        idle.wait()
        if let failure {
            idle.signal()
            throw failure
        }
        queue.async { [self] in
            do throws(FeedStoreError) {
                try store.stage(run: run, batch)
            } catch {
                failure = error
            }
            idle.signal()
        }
    }

    /// Waits for the last batch, and throws what stopped staging, if anything did.
    func finish() throws(FeedStoreError) {
        idle.wait()
        defer { idle.signal() }
        if let failure { throw failure }
    }

    /// Waits for the batch staging, if any.
    func wait() {
        idle.wait()
        idle.signal()
    }
}

import Config
import Directory
import Foundation
import OffsetStore
import SCIM
import SCIMClient
import SCIMSource

extension Pipeline {
    /// A pipeline whose source is a SCIM service provider (issue 6, part 3): a full pull at
    /// start and every `interval` (the seeds' client mode: it also finds deletions), and in
    /// between, when the provider supports `meta.lastModified gt` filters, incremental polls
    /// every `poll`. Every page becomes upserts and member additions applied through the
    /// pipeline's target like any batch; the watermark is committed as the position after each
    /// pull. A provider that is down or overloaded is retried with backoff; one that refuses
    /// the token stops the pipeline.
    func pull(_ source: SCIMSourceConfig) async throws {
        let name = configuration.name
        let runID = try store.startRun(pipeline: name)
        var counts: [String: Int] = [:]
        do {
            try await pullLoop(source, counts: &counts)
            try store.finishRun(runID, ops: counts, error: nil)
        } catch where Task.isCancelled {
            // SIGTERM: the request in flight was abandoned; its page was not committed.
            try store.finishRun(runID, ops: counts, error: nil)
        } catch {
            states.set(name, .failed)
            metrics.errors.increment()
            try? store.finishRun(runID, ops: counts, error: "\(error)")
            throw error
        }
    }

    private func pullLoop(_ source: SCIMSourceConfig, counts: inout [String: Int]) async throws {
        let name = configuration.name
        let client = try SCIMClient(baseURL: source.url, token: source.token, logger: logger)
        let puller = SCIMPuller(client: client, pageSize: source.pageSize)
        states.set(name, .loading)
        var capabilities: SCIMCapabilities?
        var watermark = SCIMWatermark()
        var nextFull = ContinuousClock.now
        var failures = 0
        while true {
            do {
                if capabilities == nil {
                    let probed = try await SCIMCapabilities.probe(client)
                    capabilities = probed
                    logger.info(
                        "SCIM source",
                        metadata: ["filter": "\(probed.filter)", "incremental": "\(probed.incremental)", "url": "\(source.url)"])
                }
                if ContinuousClock.now >= nextFull {
                    watermark = try await fullPull(puller, counts: &counts)
                    nextFull = ContinuousClock.now + .seconds(source.intervalSeconds)
                    states.set(name, .streaming)
                } else if capabilities?.incremental == true, source.pollSeconds != nil {
                    watermark = try await puller.changes(since: watermark) { kind, page in
                        try await applyPulled(page, kind: kind, counts: &counts)
                    }
                    try store.commit(position: .token(watermark.lastModified ?? ""), pipeline: name)
                }
                failures = 0
            } catch let error as SCIMClientError where error.isTransient && !Task.isCancelled {
                failures += 1
                metrics.retries.increment()
                states.set(name, .retrying)
                let delay = ReconnectPolicyDefaults.delay(failures)
                logger.warning(
                    "SCIM source failed; retrying", metadata: ["error": "\(error)", "attempt": "\(failures)", "delay": "\(delay)"])
                try await Task.sleep(for: delay)
                continue
            }
            let wait = min(nextFull - ContinuousClock.now, source.pollSeconds.map { .seconds($0) } ?? .seconds(source.intervalSeconds))
            try await Task.sleep(for: max(wait, .milliseconds(10)))
        }
    }

    /// Every user and group, then what the ledger holds that the provider no longer has:
    /// each such resource is looked up once more (a resource moved between pages while they
    /// were read is still there) and deleted, or deactivated under `onDelete: deactivate`.
    private func fullPull(_ puller: SCIMPuller, counts: inout [String: Int]) async throws -> SCIMWatermark {
        let name = configuration.name
        var seen: [ResourceKind: Set<String>] = [.user: [], .group: []]
        let watermark = try await puller.fullPull { kind, page in
            seen[kind, default: []].formUnion(page.compactMap(\.id))
            try await applyPulled(page, kind: kind, counts: &counts)
        }
        var removals: [ResourceOp] = []
        var removed: [LedgerEntry] = []
        for kind in [ResourceKind.group, .user] {
            for id in try store.ledgerIDs(kind: kind, pipeline: name) where !(seen[kind]?.contains(id) ?? false) {
                guard try await puller.client.get(id, at: kind == .user ? .users : .groups) == nil else { continue }
                if kind == .user, configuration.onDelete == .deactivate {
                    removals.append(.deactivate(userID: id))
                } else {
                    removals.append(.delete(kind, id: id))
                    removed.append(LedgerEntry(kind: kind, id: id))
                }
            }
        }
        if !removals.isEmpty {
            let ordered = ResourceOp.ordered(removals)
            try await applyRetrying { target in try target.apply(ordered) }
            count(ordered, &counts)
        }
        try store.commit(position: .token(watermark.lastModified ?? ""), pipeline: name, removed: removed)
        logger.info("full SCIM pull applied", metadata: ["users": "\(seen[.user]?.count ?? 0)", "groups": "\(seen[.group]?.count ?? 0)"])
        return watermark
    }

    /// One page as one target transaction; its resources join the ledger before it commits.
    private func applyPulled(_ page: [SCIMResource], kind: ResourceKind, counts: inout [String: Int]) async throws {
        let ops = ResourceOp.ordered(PulledOps.ops(for: page, kind: kind))
        guard !ops.isEmpty else { return }
        metrics.sourceChanges.increment(by: Int64(page.count))
        try store.recordCreated(ops.compactMap(\.createdEntry), pipeline: configuration.name)
        try await applyRetrying { target in try target.apply(ops) }
        count(ops, &counts)
    }

    private func count(_ ops: [ResourceOp], _ counts: inout [String: Int]) {
        for op in ops {
            counts[op.kindName, default: 0] += 1
            metrics.applied(op.kindName).increment()
        }
    }
}

/// The backoff of a SCIM source that is down: 1 s doubling to 60 s.
enum ReconnectPolicyDefaults {
    static func delay(_ failures: Int) -> Duration {
        .seconds(min(60, 1 << min(failures - 1, 6)))
    }
}

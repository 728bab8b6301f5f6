import Config
import Connectors
import Directory
import Foundation
import OffsetStore
import PipelineCore
import Reconcile
import SCIM
import SCIMClient
import SCIMSource

extension Pipeline {
    /// A pipeline whose source is a SCIM service provider (issue 6, part 3): a full pull at
    /// start and every `interval` (the seeds' client mode, done as a reconciliation pass: it
    /// also finds deletions and dropped members), and in between, when the provider supports
    /// `meta.lastModified gt` filters, incremental polls every `poll`, whose pages become
    /// upserts and member additions applied through the pipeline's target like any batch. The
    /// watermark is committed as the position after each pull. A provider that is down or
    /// overloaded, or a target that fails, is retried with backoff; a provider that refuses the
    /// token stops the pipeline.
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
            states.set(name, .failed("\(error)"))
            metrics.errors.increment()
            try? store.finishRun(runID, ops: counts, error: "\(error)")
            throw error
        }
    }

    private func pullLoop(_ source: SCIMSourceConfig, counts: inout [String: Int]) async throws {
        let name = configuration.name
        let client = try SCIMClient(baseURL: source.url, token: source.token, logger: logger)
        let puller = SCIMPuller(client: client, pageSize: source.pageSize)
        states.set(name, .loading(.firstLoad))
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
                    watermark = try await fullPull(source, client: client, counts: &counts)
                    nextFull = ContinuousClock.now + .seconds(source.intervalSeconds)
                    states.set(name, .streaming)
                } else if capabilities?.incremental == true, source.pollSeconds != nil {
                    watermark = try await puller.changes(since: watermark) { kind, page in
                        try await applyPulled(page, kind: kind, counts: &counts)
                    }
                    try store.commit(position: .token(watermark.lastModified ?? ""), pipeline: name)
                }
                failures = 0
            } catch let error as SCIMClientError where !error.isTransient {
                // A refused token or a wrong URL: an operator must act.
                throw error
            } catch where !Task.isCancelled {
                // The provider down or overloaded, or the target failing: both come back.
                failures += 1
                metrics.retries.increment()
                states.set(name, .retrying(.source("\(error)"), attempt: failures))
                let delay = SCIMSourceBackoff.policy.delay(beforeAttempt: failures, unitRandom: Double.random(in: 0..<1))
                logger.warning(
                    "SCIM source failed; retrying", metadata: ["error": "\(error)", "attempt": "\(failures)", "delay": "\(delay)"])
                try await Task.sleep(for: delay)
                continue
            }
            let wait = min(nextFull - ContinuousClock.now, source.pollSeconds.map { .seconds($0) } ?? .seconds(source.intervalSeconds))
            try await Task.sleep(for: max(wait, .milliseconds(10)))
        }
    }

    /// A full pull is a reconciliation pass with the provider as its source: both sides read
    /// and merge-joined, and only the differences applied (creates, minimal changes, member
    /// additions and removals, deletions or deactivations of what scimsync created), within
    /// the pipeline's safety limits (`reconcile.maxRemovals`: a pull that would remove more is
    /// held until `scimsync approve`).
    private func fullPull(_ source: SCIMSourceConfig, client: SCIMClient, counts: inout [String: Int]) async throws
        -> SCIMWatermark
    {
        let (pipeline, store, name) = (configuration, self.store, configuration.name)
        while true {
            let (outcome, watermark) = try await target.run { target -> (ReconcileOutcome, SCIMWatermark) in
                let reader = SCIMSourceReader(client: client, pageSize: source.pageSize)
                let outcome = try Reconciliation(pipeline: pipeline, store: store).run(
                    sourceReader: reader, sourceTypes: .scim,
                    targetReader: try TargetFactory.reconcileReader(pipeline, store: store, sharing: target),
                    apply: { ops in
                        try target.apply(ops)
                        return ops
                    }, options: ReconcileOptions())
                return (outcome, reader.watermark)
            }
            if case .refused(_, let reason) = outcome {
                try await holdUntilApproved(reason)
                states.set(name, .loading(.firstLoad))
                continue
            }
            metrics.reconciles.increment()
            metrics.reconcileDrift.set(Double(outcome.report.totalRepairs))
            for (kind, count) in outcome.report.runLogCounts { counts[kind, default: 0] += count }
            try store.commit(position: .token(watermark.lastModified ?? ""), pipeline: name)
            logger.info(
                "full SCIM pull applied",
                metadata: [
                    "users": "\(outcome.report.sourceUsers)", "groups": "\(outcome.report.sourceGroups)",
                    "repairs": "\(outcome.report.totalRepairs)",
                ])
            return watermark
        }
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
enum SCIMSourceBackoff {
    /// 1 s, doubling up to a minute: a provider that is down is asked again about once a minute.
    static let policy = Backoff(initialDelay: .seconds(1), maximumDelay: .seconds(60), multiplier: 2, jitter: 0.2)
}

import Connectors
import Prometheus
import Synchronization

/// The daemon's metrics, served at `/metrics` in Prometheus text format.
public final class DaemonMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
    }

    /// `scimsync_callbacks_total{pipeline, outcome}`: event callbacks received at
    /// `/callbacks/<pipeline>`, `accepted` (answered 2xx/3xx) or `refused` (a signature that did
    /// not verify, a malformed or oversized request).
    public func callback(pipeline: String, outcome: String) {
        registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "scimsync", metricName: "callbacks", unitName: "total",
                helpText: "Event callbacks received, by outcome"),
            labels: [("pipeline", pipeline), ("outcome", outcome)]
        ).increment()
    }

    /// `scimsync_callback_events_total{pipeline, outcome}`: the events of accepted callbacks,
    /// `queued` for the stream, `duplicate` (delivered before: the platform retried) or
    /// `full_read` (the queue was full: left to the full read that replaced it).
    public func callbackEvents(pipeline: String, _ delivery: CallbackDelivery) {
        for (outcome, count) in [("queued", delivery.queued), ("duplicate", delivery.duplicates), ("full_read", delivery.fullRead)]
        where count > 0 {
            registry.makeCounter(
                descriptor: MetricNameDescriptor(
                    namespace: "scimsync", metricName: "callback_events", unitName: "total",
                    helpText: "Events of accepted callbacks, by what became of them"),
                labels: [("pipeline", pipeline), ("outcome", outcome)]
            ).increment(by: Int64(count))
        }
    }

    /// The metrics of one pipeline, labelled with its name.
    public func pipeline(_ name: String) -> PipelineMetrics {
        PipelineMetrics(name: name, registry: registry)
    }
}

/// One pipeline's counters and gauges.
public struct PipelineMetrics: Sendable {
    let name: String
    let registry: PrometheusCollectorRegistry
    /// Row changes read from the source.
    let sourceChanges: Counter
    let retries: Counter
    let errors: Counter
    /// Seconds between the source's commit of the last applied transaction and now.
    let lag: Gauge
    /// Differences the last reconciliation found (repairs and unmanaged rows).
    let reconcileDrift: Gauge
    let reconciles: Counter
    /// Operations waiting for a row that is not there yet.
    let parked: Gauge
    /// Source rows and target resources refused and set aside.
    let quarantined: Gauge
    /// `ops_applied` by kind, made once each: every batch counts into them.
    private let appliedByKind = AppliedCounters()

    init(name: String, registry: PrometheusCollectorRegistry) {
        self.name = name
        self.registry = registry
        let labels = [("pipeline", name)]
        sourceChanges = registry.makeCounter(
            descriptor: Self.name("source_changes", "total", "Row changes read from the source"), labels: labels)
        retries = registry.makeCounter(descriptor: Self.name("retries", "total", "Target batches retried"), labels: labels)
        errors = registry.makeCounter(
            descriptor: Self.name("errors", "total", "Failed attempts: errors that stopped or delayed the pipeline"),
            labels: labels)
        lag = registry.makeGauge(
            descriptor: Self.name("lag", "seconds", "How far the target is behind the source: the oldest unapplied change's age, or the last one's lag"),
            labels: labels)
        reconcileDrift = registry.makeGauge(
            descriptor: Self.name("reconcile_drift", "", "Differences the last reconciliation found"), labels: labels)
        reconciles = registry.makeCounter(
            descriptor: Self.name("reconciles", "total", "Reconciliation passes run"), labels: labels)
        parked = registry.makeGauge(
            descriptor: Self.name("parked_ops", "", "Operations waiting for a row that is not there yet"), labels: labels)
        quarantined = registry.makeGauge(
            descriptor: Self.name("quarantined_rows", "", "Rows refused by the mapping or the target, set aside"),
            labels: labels)
    }

    /// `scimsync_pipeline_state{pipeline, state}`: 1 for the state the pipeline is in, 0 for
    /// the others (the Prometheus way of exporting an enum).
    func setState(_ current: String) {
        for state in Self.stateNames {
            registry.makeGauge(
                descriptor: Self.name("pipeline_state", "", "The pipeline's state: 1 for the current one"),
                labels: [("pipeline", name), ("state", state)]
            ).set(to: state == current ? 1.0 : 0.0)
        }
    }

    static let stateNames = ["starting", "loading", "streaming", "reconciling", "paused", "retrying", "failed", "stopped"]

    func applied(_ kind: String) -> Counter {
        appliedByKind.counters.withLock { counters in
            if let counter = counters[kind] { return counter }
            let counter = registry.makeCounter(
                descriptor: Self.name("ops_applied", "total", "Operations applied to the target"),
                labels: [("pipeline", name), ("kind", kind)])
            counters[kind] = counter
            return counter
        }
    }

    private static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "scimsync", metricName: metric, unitName: unit, helpText: help)
    }
}

/// The `ops_applied` counters of one pipeline, by kind.
private final class AppliedCounters: Sendable {
    let counters = Mutex<[String: Counter]>([:])
}

import Prometheus

/// The daemon's metrics, served at `/metrics` in Prometheus text format.
public final class DaemonMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
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

    init(name: String, registry: PrometheusCollectorRegistry) {
        self.name = name
        self.registry = registry
        let labels = [("pipeline", name)]
        sourceChanges = registry.makeCounter(
            descriptor: Self.name("source_changes", "total", "Row changes read from the source"), labels: labels)
        retries = registry.makeCounter(descriptor: Self.name("retries", "total", "Target batches retried"), labels: labels)
        errors = registry.makeCounter(
            descriptor: Self.name("errors", "total", "Errors that stopped or delayed the pipeline"), labels: labels)
        lag = registry.makeGauge(
            descriptor: Self.name("lag", "seconds", "Source commit to target commit of the last applied transaction"),
            labels: labels)
        reconcileDrift = registry.makeGauge(
            descriptor: Self.name("reconcile_drift", "", "Differences the last reconciliation found"), labels: labels)
        reconciles = registry.makeCounter(
            descriptor: Self.name("reconciles", "total", "Reconciliation passes run"), labels: labels)
    }

    func applied(_ kind: String) -> Counter {
        registry.makeCounter(
            descriptor: Self.name("ops_applied", "total", "Operations applied to the target"),
            labels: [("pipeline", name), ("kind", kind)])
    }

    private static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "scimsync", metricName: metric, unitName: unit, helpText: help)
    }
}

import Foundation

/// One pipeline's metrics as `/metrics` serves them at this moment, for the admin page: the
/// same counters and gauges read back from the registry's export, never a second count.
public struct PipelineReadings: Sendable, Hashable {
    /// `scimsync_lag_seconds`: how far the target is behind the source.
    public var lagSeconds: Double?
    /// `scimsync_source_changes_total`: row changes read from the source since the daemon started.
    public var sourceChanges: Int64 = 0
    /// `scimsync_ops_applied_total` by kind (`create`, `patch`, ...), since the daemon started.
    public var applied: [String: Int64] = [:]
    /// `scimsync_errors_total`: failed attempts that stopped or delayed the pipeline.
    public var errors: Int64 = 0
    /// `scimsync_retries_total`.
    public var retries: Int64 = 0
    /// `scimsync_reconciles_total`: passes run since the daemon started.
    public var reconciles: Int64 = 0
    /// `scimsync_reconcile_drift`: differences the last reconciliation found.
    public var reconcileDrift: Double?
    /// `scimsync_parked_ops`.
    public var parked: Double?
    /// `scimsync_quarantined_rows`.
    public var quarantined: Double?
    /// The state whose `scimsync_pipeline_state` gauge is 1.
    public var state: String?

    public init() {}

    /// Every operation applied, whatever its kind.
    public var appliedTotal: Int64 { applied.values.reduce(0, +) }
}

extension DaemonMetrics {
    /// Every pipeline's readings, by pipeline name, from the text `/metrics` serves now.
    public func readings() -> [String: PipelineReadings] {
        Self.readings(fromExposition: registry.emitToString())
    }

    /// Reads the `scimsync_*` samples of Prometheus' text format (one sample a line:
    /// `name{label="value",...} value`; label values escape `\`, `"` and newlines with a
    /// backslash) into readings by their `pipeline` label.
    static func readings(fromExposition text: String) -> [String: PipelineReadings] {
        var result: [String: PipelineReadings] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let sample = PrometheusSample(line), let pipeline = sample.labels["pipeline"] else { continue }
            var readings = result[pipeline] ?? PipelineReadings()
            let value = sample.value
            switch sample.name {
            case "scimsync_lag_seconds": readings.lagSeconds = value
            case "scimsync_source_changes_total": readings.sourceChanges = Int64(value)
            case "scimsync_ops_applied_total": readings.applied[sample.labels["kind"] ?? "", default: 0] += Int64(value)
            case "scimsync_errors_total": readings.errors = Int64(value)
            case "scimsync_retries_total": readings.retries = Int64(value)
            case "scimsync_reconciles_total": readings.reconciles = Int64(value)
            case "scimsync_reconcile_drift": readings.reconcileDrift = value
            case "scimsync_parked_ops": readings.parked = value
            case "scimsync_quarantined_rows": readings.quarantined = value
            case "scimsync_pipeline_state": if value == 1 { readings.state = sample.labels["state"] }
            default: break
            }
            result[pipeline] = readings
        }
        return result
    }
}

/// One sample line of Prometheus' text exposition format (version 0.0.4).
struct PrometheusSample {
    var name: String
    var labels: [String: String]
    var value: Double

    init?(_ line: Substring) {
        var rest = line[...]
        let nameEnd = rest.firstIndex { $0 == "{" || $0 == " " } ?? rest.endIndex
        name = String(rest[..<nameEnd])
        rest = rest[nameEnd...]
        labels = [:]
        if rest.first == "{" {
            rest = rest.dropFirst()
            while let equals = rest.firstIndex(of: "="), rest.first != "}" {
                let key = String(rest[..<equals]).trimmingCharacters(in: [",", " "])
                rest = rest[rest.index(after: equals)...]
                guard rest.first == "\"" else { return nil }
                rest = rest.dropFirst()
                var value = ""
                var escaped = false
                while let character = rest.first {
                    rest = rest.dropFirst()
                    if escaped {
                        value.append(character == "n" ? "\n" : character)
                        escaped = false
                    } else if character == "\\" {
                        escaped = true
                    } else if character == "\"" {
                        break
                    } else {
                        value.append(character)
                    }
                }
                labels[key] = value
                if rest.first == "," { rest = rest.dropFirst() }
            }
            guard rest.first == "}" else { return nil }
            rest = rest.dropFirst()
        }
        // A timestamp may follow the value; scimsync's registry writes none.
        guard let text = rest.split(separator: " ").first, let value = Double(text) else { return nil }
        self.value = value
    }
}

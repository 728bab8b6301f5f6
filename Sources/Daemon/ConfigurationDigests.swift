import Config
import Crypto
import Directory

/// A pipeline's configuration as digests, one per part that decides what its target holds:
/// where it reads and writes, the two mappings, and the policies. A position belongs to the
/// configuration it was streamed under: after a change (a column mapped anew, a target moved to
/// an empty database, a source pointed at another database of the same server, `onDelete`
/// switched) the stream alone would change only the rows that change later, so the daemon
/// reconciles first and records the new digests once the target matches.
///
/// Passwords and tokens are left out (rotating a secret changes nothing the target holds); a
/// block kind's settings enter through their description, which names no secret.
enum ConfigurationDigests {
    /// The parts, by the name a changed one is reported with.
    static func of(_ pipeline: PipelineConfig) -> [String: String] {
        var parts: [String: String] = [:]
        switch pipeline.source {
        case .sql(let endpoint):
            parts["source"] = "\(endpoint.connection.kind) \(endpoint.connection)"
            parts["source mapping"] = text(endpoint.layout)
        case .block(let kind, let settings):
            parts["source"] = "\(kind) \(settings)"
            parts["source mapping"] = settings.base.sourceLayout.map(text) ?? ""
        }
        switch pipeline.target {
        case .sql(let endpoint):
            parts["target"] = "\(endpoint.connection.kind) \(endpoint.connection)"
            parts["target mapping"] = text(endpoint.layout)
        case .block(let kind, let settings):
            parts["target"] = "\(kind) \(settings)"
            parts["target mapping"] = settings.base.targetLayout.map(text) ?? ""
        }
        parts["onDelete"] = pipeline.onDelete.rawValue
        parts["adopt"] = pipeline.adopt ? "true" : "false"
        return parts.mapValues { digest($0) }
    }

    /// The parts that differ between `stored` and `current`, in a stable order; empty when
    /// none does. A part `stored` lacks (recorded by an older version) counts as unchanged.
    static func changed(stored: [String: String], current: [String: String]) -> [String] {
        current.keys.sorted().filter { key in stored[key].map { $0 != current[key] } ?? false }
    }

    /// A layout as text in which every choice shows, entries in their configured order.
    static func text(_ layout: DirectoryLayout) -> String {
        func entries(_ map: AttributeMap) -> String {
            map.entries.map { "\($0.pathText)=\($0.column)" }.joined(separator: ",")
        }
        var lines = ["users \(layout.users.table) [\(entries(layout.users.attributes))] group=\(layout.users.group ?? "-")"]
        if let groups = layout.groups {
            lines.append("groups \(groups.table) [\(entries(groups.attributes))] parent=\(groups.parent ?? "-")")
        }
        if let membership = layout.membership {
            lines.append("membership \(membership.table) user=\(membership.user) group=\(membership.group)")
        }
        lines.append("zone \(layout.timeZone)")
        return lines.joined(separator: "\n")
    }

    private static func digest(_ text: String) -> String {
        SHA256.hash(data: Array(text.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }.joined()
    }
}

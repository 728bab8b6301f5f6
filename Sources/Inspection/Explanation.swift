import Directory
import Foundation
import OffsetStore
import SCIM

/// Why one user or group looks the way it does in a pipeline's target: the source's resource
/// now, the target's now, whether scimsync owns it, what is parked or refused about it, the
/// journal of operations that touched it, and whether source and target agree now.
public struct Explanation: Sendable {
    public var pipeline: String
    public var kind: ResourceKind
    public var id: String
    /// The source's resource now (mapped through the source layout), nil when it has none;
    /// `sourceNote` says why it was not read.
    public var source: SCIMResource?
    public var sourceNote: String?
    /// What the source knows besides the resource (a feed: in the feed or blocked, the run
    /// that last changed it, its last record).
    public var sourceFacts: [String] = []
    public var target: SCIMResource?
    public var targetNote: String?
    /// Whether the ownership ledger records the resource as created by scimsync.
    public var owned: Bool
    public var quarantine: [QuarantineEntry]
    public var parked: [StoredParkedOp]
    public var journal: [JournalEntry]

    /// The attributes whose values differ between source and target (ids and metadata aside);
    /// nil when a side could not be read.
    public var differences: [String]? {
        guard sourceNote == nil, targetNote == nil else { return nil }
        switch (source, target) {
        case (nil, nil): return []
        case (nil, _?): return ["(the source has no such resource; the target has)"]
        case (_?, nil): return ["(the target has no such resource; the source has)"]
        case (let source?, let target?):
            // What a PATCH from the target's resource to the source's would change: the same
            // comparison every repair uses (ids, meta and read-only attributes aside, members
            // as a set, null and [] absent).
            var paths: [String] = []
            for operation in patchOperations(from: target, to: source) {
                let changed = operation.path.map { [$0.description] } ?? operation.value?.objectValue?.keys ?? []
                for path in changed where !paths.contains(path) { paths.append(path) }
            }
            return paths
        }
    }

    /// The explanation as text for a terminal.
    public var text: String {
        var lines = ["\(kind.rawValue) \(id) in pipeline \(pipeline)"]
        lines.append("  source: " + (sourceNote ?? source.map { $0.attributes.jsonString() } ?? "no such resource"))
        for fact in sourceFacts { lines.append("    \(fact)") }
        lines.append("  target: " + (targetNote ?? target.map { $0.attributes.jsonString() } ?? "no such resource"))
        lines.append(
            "  ownership: "
                + (owned
                    ? "created by scimsync: the pipeline updates and removes it"
                    : "not created by scimsync: the pipeline leaves it alone unless `adopt: true`"))
        switch differences {
        case nil: lines.append("  agree now: unknown (a side could not be read)")
        case let differing? where differing.isEmpty: lines.append("  agree now: yes")
        case let differing?: lines.append("  agree now: no; differing: \(differing.joined(separator: ", "))")
        }
        for entry in quarantine {
            lines.append("  refused by the target since \(entry.since) (\(entry.count) times): \(LogText.safe(entry.reason, limit: 300))")
        }
        for operation in parked {
            lines.append("  parked since \(operation.since): \(operation.reason)")
        }
        lines.append(journal.isEmpty ? "  journal: no operation recorded" : "  journal (newest first):")
        for entry in journal {
            let record = entry.record
            var line = "    \(entry.at)  \(entry.origin)"
            if let position = entry.position { line += " at \(position)" }
            line += "  \(record.action)"
            if let related = record.relatedID { line += " \(related)" }
            if !record.attributes.isEmpty { line += " [\(record.attributes.joined(separator: ", "))]" }
            line += "  \(record.outcome.rawValue)"
            if let reason = record.reason { line += ": \(reason)" }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    /// The explanation as one JSON object.
    public var json: SCIMValue {
        var object = SCIMObject()
        object["pipeline"] = .string(pipeline)
        object["kind"] = .string(kind.rawValue)
        object["id"] = .string(id)
        object["source"] = sourceNote.map { _ in SCIMValue.null } ?? source.map { .object($0.attributes) } ?? .null
        object["sourceNote"] = sourceNote.map(SCIMValue.string) ?? .null
        object["sourceFacts"] = .array(sourceFacts.map(SCIMValue.string))
        object["target"] = targetNote.map { _ in SCIMValue.null } ?? target.map { .object($0.attributes) } ?? .null
        object["targetNote"] = targetNote.map(SCIMValue.string) ?? .null
        object["createdByScimsync"] = .bool(owned)
        object["agree"] = differences.map { .bool($0.isEmpty) } ?? .null
        object["differing"] = differences.map { .array($0.map(SCIMValue.string)) } ?? .null
        object["quarantine"] = .array(
            quarantine.map { entry in
                var item = SCIMObject()
                item["reason"] = .string(entry.reason)
                item["since"] = .string(entry.since)
                item["lastSeen"] = .string(entry.lastSeen)
                return .object(item)
            })
        object["parked"] = .array(
            parked.map { operation in
                var item = SCIMObject()
                item["reason"] = .string(operation.reason)
                item["since"] = .string(operation.since)
                return .object(item)
            })
        object["journal"] = .array(
            journal.map { entry in
                var item = SCIMObject()
                item["at"] = .string(entry.at)
                item["origin"] = .string(entry.origin)
                item["position"] = entry.position.map(SCIMValue.string) ?? .null
                item["action"] = .string(entry.record.action)
                item["relatedId"] = entry.record.relatedID.map(SCIMValue.string) ?? .null
                item["attributes"] = .array(entry.record.attributes.map(SCIMValue.string))
                item["outcome"] = .string(entry.record.outcome.rawValue)
                item["reason"] = entry.record.reason.map(SCIMValue.string) ?? .null
                if let values = entry.record.values { item["values"] = (try? SCIMValue(json: Array(values.utf8))) ?? .string(values) }
                return .object(item)
            })
        return .object(object)
    }
}

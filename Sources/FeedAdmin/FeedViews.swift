import FeedSource
import SCIM

/// The JSON the feed routes answer and `scimsync feed … --format json` prints: one shape for
/// both, with every key present (null when there is no value), so that a script can read a
/// field without checking that it exists.
public enum FeedViews {
    /// A run: its state, who started and approved it, why it waits or failed, its counts and
    /// files; with `log`, every problem logged for it.
    public static func run(_ run: FeedRun, pipeline: String, log: [FeedLogEntry]? = nil) -> SCIMValue {
        var members: [(String, SCIMValue)] = [
            ("pipeline", .string(pipeline)),
            ("run", .integer(run.id)),
            ("state", .string(run.state.rawValue)),
            ("created", .string(run.created)),
            ("startedBy", .string(run.startedBy)),
            ("approvedBy", run.approvedBy.map(SCIMValue.string) ?? .null),
            ("holdReason", run.holdReason.map(SCIMValue.string) ?? .null),
            ("failureReason", run.failureReason.map(SCIMValue.string) ?? .null),
            ("counts", .object(SCIMObject(run.counts.sorted { $0.key < $1.key }.map { ($0.key, SCIMValue.integer(Int64($0.value))) }))),
            ("errors", .integer(Int64(run.errors))),
            ("planned", .integer(Int64(run.planned))),
            ("applied", .integer(Int64(run.appliedThrough))),
            ("files", .array(run.files.map(file))),
            ("filesKept", .bool(!run.filesPruned)),
        ]
        if let log {
            members.append(("log", .array(log.map(entry))))
        }
        return .object(SCIMObject(members))
    }

    /// The runs of a feed, newest first, without their logs.
    public static func runs(_ runs: [FeedRun], pipeline: String) -> SCIMValue {
        [
            "pipeline": .string(pipeline),
            "runs": .array(runs.map { run($0, pipeline: pipeline) }),
        ]
    }

    /// What the feed knows of a user: whether it created it (only those it ever changes),
    /// whether the last run had it (else it is blocked), the last record received and the
    /// user as last written.
    public static func user(_ user: KnownUser, pipeline: String) -> SCIMValue {
        let record: SCIMValue = user.rawJSON.flatMap { try? SCIMValue(json: $0) } ?? .null
        return .object(
            SCIMObject([
                ("pipeline", .string(pipeline)),
                ("userName", .string(user.userName)),
                ("id", user.id.map(SCIMValue.string) ?? .null),
                ("owned", .bool(user.owned)),
                ("inFeed", .bool(user.inFeed)),
                ("blocked", .bool(user.owned && !user.inFeed)),
                ("error", .bool(user.error)),
                ("lastChangedRun", user.lastChangedRun.map(SCIMValue.integer) ?? .null),
                ("digest", user.digest.map(SCIMValue.string) ?? .null),
                ("groups", .array(user.groups.map(SCIMValue.string))),
                ("record", record),
                ("resource", user.resource.map { SCIMValue.object($0.attributes) } ?? .null),
            ]))
    }

    static func file(_ file: FeedFileInfo) -> SCIMValue {
        var view: SCIMObject = ["name": .string(file.name), "size": .integer(file.size), "sha256": .string(file.digest)]
        if let records = file.records { view["records"] = .integer(Int64(records)) }
        return .object(view)
    }

    static func entry(_ entry: FeedLogEntry) -> SCIMValue {
        [
            "location": .string(entry.location), "field": entry.field.map(SCIMValue.string) ?? .null,
            "reason": .string(entry.reason),
        ]
    }
}

/// Small JSON answers (`{"error": "..."}`) in the same writer as the views.
enum FeedJSON {
    static func encode(_ members: KeyValuePairs<String, String>) -> [UInt8] {
        SCIMValue.object(SCIMObject(members.map { ($0.key, SCIMValue.string($0.value)) })).jsonBytes()
    }
}

import Config
import Directory
import FeedSource
import OffsetStore
import SCIM
import Targets

/// The resource an explanation is about: a user by id or by userName, or a group by id.
public enum ExplainSubject: Sendable, Hashable {
    case user(id: String)
    case userName(String)
    case group(id: String)

    var kind: ResourceKind {
        if case .group = self { return .group }
        return .user
    }

    /// The id or userName given.
    var given: String {
        switch self {
        case .user(let text), .userName(let text), .group(let text): text
        }
    }
}

/// Why no explanation could be given.
public enum ExplainError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Neither the source nor the target has a user of that userName.
    case noSuchUserName(String, pipeline: String)

    public var description: String {
        switch self {
        case .noSuchUserName(let name, let pipeline):
            "no user with userName \"\(name)\" in the source or the target of pipeline \(pipeline)"
        }
    }
}

extension Explanation {
    /// Explains `subject` in `pipeline`: reads its source and target (SQL databases and
    /// feeds; SCIM sides are noted as not read, ``lookUpReadingSCIM(_:in:store:limit:)``
    /// reads them too) and what `store` knows of it. Read-only; it blocks on
    /// database I/O, so async callers run it off the cooperative pool.
    ///
    /// - Parameter limit: how many journal entries, newest first.
    public static func lookUp(
        _ subject: ExplainSubject, in pipeline: PipelineConfig, store: OffsetStore, limit: Int = 50
    ) throws -> Explanation {
        let kind = subject.kind
        let source = try pipeline.source.sql.map { try SQLTarget.open($0) }
        let target = try pipeline.target.sql.map { try SQLTarget.open($0) }
        // A feed looks users up by userName, which is also the id of every user it creates:
        // its side is read once, with what was given.
        let feedSide = try pipeline.source.settings(FeedSourceConfig.self).map {
            try FeedSide(settings: $0, pipeline: pipeline.name, offsetsPath: store.path, kind: kind, id: subject.given)
        }
        let id: String
        switch subject {
        case .user(let given), .group(let given): id = given
        case .userName(let name):
            let path = AttributePath(attribute: "userName")
            guard
                let found = try feedSide?.id ?? (source ?? target)?.ids(.user, where: path, equals: .string(name)).first
                    ?? target?.ids(.user, where: path, equals: .string(name)).first
            else {
                throw ExplainError.noSuchUserName(name, pipeline: pipeline.name)
            }
            id = found
        }
        let notRead = { (side: String, kind: String) in
            "not read: explain reads SQL databases, feeds and SCIM providers; this \(side) is a \(kind)"
        }
        let sourceNote: String? =
            if let feedSide { feedSide.note } else if source == nil { notRead("source", pipeline.source.kind) } else { nil }
        return Explanation(
            pipeline: pipeline.name, kind: kind, id: id,
            source: try feedSide?.resource ?? source?.resource(kind, id: id),
            sourceNote: sourceNote, sourceFacts: feedSide?.facts ?? [],
            target: try target?.resource(kind, id: id),
            targetNote: target == nil ? notRead("target", pipeline.target.kind) : nil,
            owned: try store.owned([id], kind: kind, pipeline: pipeline.name).contains(id),
            quarantine: try store.quarantined(pipeline: pipeline.name).filter {
                $0.kind == kind.rawValue && $0.id == id
                    || $0.kind == "Membership" && $0.id.split(separator: " ").contains(Substring(id))
            },
            parked: try store.parked(pipeline: pipeline.name).filter { operation in
                let record = operation.op.journalRecord()
                return (record.kind == kind && record.id == id) || record.relatedID == id
                    || (operation.waitingKind == kind && operation.waitingID == id)
            },
            journal: try store.journal(pipeline: pipeline.name, kind: kind, id: id, limit: limit))
    }
}

import Config
import Connectors
import Directory
import OffsetStore
import SCIM
import SCIMClient
import SCIMSource
import SCIMTarget

extension Explanation {
    /// ``lookUp(_:in:store:limit:)`` with the SCIM sides read too: a SCIM source's resource
    /// by its id (the provider's), a SCIM target's by the provider id the pipeline recorded
    /// for it, given the source's id back so that the two compare.
    /// One GET per side; the SQL and feed sides are read on a thread of their own.
    public static func lookUpReadingSCIM(
        _ subject: ExplainSubject, in pipeline: PipelineConfig, store: OffsetStore, limit: Int = 50
    ) async throws -> Explanation {
        let source = pipeline.source.settings(SCIMSourceConfig.self)
        let target = pipeline.target.settings(SCIMTargetConfig.self)
        let sourceClient = try source.map { try SCIMClient(baseURL: $0.url, token: $0.token) }
        var subject = subject
        if case .userName(let name) = subject, let client = sourceClient {
            // The source's ids are its provider's: the userName is found there.
            let filter = "userName eq \(SCIMValue.string(name).jsonString())"
            guard let id = try await client.search(.users, filter: filter, count: 1).resources.first?.id else {
                throw ExplainError.noSuchUserName(name, pipeline: pipeline.name)
            }
            subject = .user(id: id)
        }
        let known = subject
        var explanation = try await BlockingThread.run(named: "scimsync.explain") { _ in
            try lookUp(known, in: pipeline, store: store, limit: limit)
        }
        let endpoint: SCIMEndpoint = explanation.kind == .group ? .groups : .users
        if let client = sourceClient {
            explanation.source = try await client.get(explanation.id, at: endpoint)
            explanation.sourceNote = nil
        }
        if let target {
            explanation.targetNote = nil
            explanation.target = nil
            switch try store.scimProviderID(explanation.id, kind: explanation.kind, pipeline: pipeline.name) {
            case .some(.some(let providerID)):
                let client = try SCIMClient(baseURL: target.url, token: target.token)
                if var resource = try await client.get(providerID, at: endpoint) {
                    resource.attributes["id"] = .string(explanation.id)
                    // The target sets externalId to the source id when the layout maps none:
                    // its own bookkeeping, not a value of the source's to compare.
                    if explanation.source?.attributes["externalId"] == nil,
                        resource.attributes["externalId"] == .string(explanation.id)
                    {
                        _ = resource.attributes.removeValue(forKey: "externalId")
                    }
                    // Memberships are explained from the user's side (the journal's member
                    // changes), as a SQL side gives them: a group is compared without members,
                    // as a reconciliation compares it.
                    if explanation.kind == .group { _ = resource.attributes.removeValue(forKey: "members") }
                    explanation.target = resource
                }
            case .some(.none):
                explanation.targetNote =
                    "not compared: its create was sent and the provider's answer is not recorded yet; the next apply or reconciliation finds it"
            case .none:
                break
            }
        }
        return explanation
    }
}

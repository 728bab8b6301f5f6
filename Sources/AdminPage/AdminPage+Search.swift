import Config
import Daemon
import Foundation
import HTTPTypes
import Hummingbird
import Inspection
import Logging
import NIOPosix
import OffsetStore

/// `/admin/search` (one box, every pipeline) and `/admin/users` (one resource explained).
extension AdminPage {
    /// The longest search text taken (ids and userNames are far shorter).
    static let maxQueryLength = 256

    func search(_ request: Request) async throws -> Response {
        let viewer = viewer(request)
        let query = formFields(request.uri.query ?? "")
        let value = String((query["q"] ?? "").trimmingCharacters(in: .whitespaces).prefix(Self.maxQueryLength))
        guard !value.isEmpty else { return Self.page(.ok, AdminViews.search(query: "", results: nil, viewer: viewer)) }
        let (pipelines, store, logger) = (config.pipelines, self.store, self.logger)
        // Reads every pipeline's source and target databases: blocking I/O, off the cooperative pool.
        let results = try await NIOThreadPool.singleton.runIfActive {
            pipelines.map { pipeline in Self.matches(of: value, in: pipeline, store: store, logger: logger) }
        }
        return Self.page(.ok, AdminViews.search(query: value, results: results, viewer: viewer))
    }

    /// The users and groups of `pipeline` that `value` names: a user by userName, a user by
    /// id, a group by id, each as `explain` finds it (its source and target, its ledger and
    /// journal entries).
    static func matches(of value: String, in pipeline: PipelineConfig, store: OffsetStore, logger: Logger)
        -> AdminViews.SearchResult
    {
        var result = AdminViews.SearchResult(pipeline: pipeline.name)
        do {
            var subjects: [(ExplainSubject, String)] = [(.userName(value), "userName"), (.user(id: value), "id")]
            // A group is looked up where a side keeps groups (explain reads both sides' tables).
            let keepsGroups = [pipeline.source.sql, pipeline.target.sql].contains { $0?.layout.groups != nil }
            if keepsGroups { subjects.append((.group(id: value), "id")) }
            for (subject, matchedBy) in subjects {
                let explanation: Explanation
                do {
                    explanation = try Explanation.lookUp(subject, in: pipeline, store: store, limit: 1)
                } catch is ExplainError {
                    continue
                }
                let known =
                    explanation.source != nil || explanation.target != nil || explanation.owned
                    || !explanation.journal.isEmpty || !explanation.quarantine.isEmpty || !explanation.parked.isEmpty
                let seen = result.matches.contains { $0.explanation.kind == explanation.kind && $0.explanation.id == explanation.id }
                if known, !seen { result.matches.append(.init(explanation: explanation, matchedBy: matchedBy)) }
            }
        } catch {
            logger.error("admin page: search failed", metadata: ["pipeline": "\(pipeline.name)", "error": "\(error)"])
            result.problem = "Cannot search it: \(error)"
        }
        return result
    }

    func users(_ request: Request) async throws -> Response {
        let viewer = viewer(request)
        let query = formFields(request.uri.query ?? "")
        let names = config.pipelines.map(\.name)
        let by = query["by"].flatMap { ["userName", "id", "group"].contains($0) ? $0 : nil } ?? "userName"
        let value = String((query["q"] ?? "").trimmingCharacters(in: .whitespaces).prefix(Self.maxQueryLength))
        let chosen = query["pipeline"] ?? names.first
        func answer(_ status: HTTPResponse.Status, _ result: HTML) -> Response {
            Self.page(
                status,
                AdminViews.explain(pipelines: names, pipeline: chosen, by: by, query: value, result: result, viewer: viewer))
        }
        guard !value.isEmpty else { return answer(.ok, "") }
        guard let pipeline = config.pipelines.first(where: { $0.name == chosen }) else {
            return answer(.notFound, "<p class=\"error\" role=\"alert\">No such pipeline.</p>")
        }
        let subject: ExplainSubject =
            switch by {
            case "id": .user(id: value)
            case "group": .group(id: value)
            default: .userName(value)
            }
        do {
            // Reads the source and the target (the databases on a thread of their own).
            let explanation = try await Explanation.lookUpReadingSCIM(subject, in: pipeline, store: store)
            return answer(.ok, AdminViews.explanation(explanation))
        } catch let error as ExplainError {
            return answer(.notFound, "<p class=\"error\" role=\"alert\">\(error.description)</p>")
        } catch {
            logger.error("admin page: explain failed", metadata: ["pipeline": "\(pipeline.name)", "error": "\(error)"])
            return answer(
                .internalServerError, "<p class=\"error\" role=\"alert\">Cannot explain it: \(String(describing: error))</p>")
        }
    }
}

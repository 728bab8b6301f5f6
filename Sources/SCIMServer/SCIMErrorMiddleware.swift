import Hummingbird
import Logging
import SCIM
import Targets

/// Turns every failure into a SCIM error body (RFC 7644 §3.12) with the right status, and
/// keeps SQL, database messages and stack traces out of responses: those go to the log.
struct SCIMErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            let response = try await next(request, context)
            return response
        } catch {
            return SCIMResponse.error(scimError(error, request: request))
        }
    }

    private func scimError(_ error: any Error, request: Request) -> SCIMError {
        switch error {
        case let error as SCIMError:
            return error
        case let error as TargetError:
            if error.isUniqueViolation {
                return .uniqueness("a unique value of the resource is already taken")
            }
            switch error.kind {
            case .foreignKey, .foreignKeyAtCommit:
                return .invalidValue("the request refers to a user or group that does not exist")
            case .mapping(_, _, let mapping):
                // The client learns what kind of value did not fit, not the table and column
                // behind the attribute; the log has those (never the value) for the operator.
                logger.info(
                    "request refused: a value does not fit its column",
                    metadata: ["method": "\(request.method)", "path": "\(request.uri.path)", "error": "\(error)"])
                return .invalidValue("\(mapping.clientDescription); the request was not applied")
            case .patch(_, _, let status, let scimType):
                return SCIMError(status: status, scimType: scimType.flatMap(SCIMError.ScimType.init(rawValue:)), detail: "the PATCH does not apply")
            case .missingTable, .missingColumn, .unsupported, .deactivateNeedsActiveColumn, .statement, .catalog,
                .transaction, .read, .beforeCommit:
                logger.error("request failed", metadata: ["method": "\(request.method)", "path": "\(request.uri.path)", "error": "\(error)"])
                return SCIMError(status: error.isTransient ? 503 : 500, detail: "the directory database failed; the server log says why")
            }
        case let error as ClientGone:
            // Nobody reads this answer: not an error. A stopped statement is worth a line.
            let metadata: Logger.Metadata = ["method": "\(request.method)", "path": "\(request.uri.path)", "reason": "\(error)"]
            if error.statementStopped {
                logger.info("request stopped", metadata: metadata)
            } else {
                logger.debug("request dropped", metadata: metadata)
            }
            return SCIMError(status: 400, detail: error.description)
        case let error as HTTPError:
            return SCIMError(status: Int(error.status.code), detail: error.body ?? error.status.reasonPhrase)
        case let error as any HTTPResponseError:
            return SCIMError(status: Int(error.status.code), detail: error.status.reasonPhrase)
        default:
            logger.error("request failed", metadata: ["method": "\(request.method)", "path": "\(request.uri.path)", "error": "\(error)"])
            if isTransientDatabaseError(error) {
                return SCIMError(status: 503, detail: "the directory database cannot be reached; retry later")
            }
            return SCIMError(status: 500, detail: "internal error; the server log says why")
        }
    }
}

import HTTPLimits
import Hummingbird
import NIOCore

/// A request's context: Hummingbird's storage and the connection the request came on, whose
/// state says whether the client is still there to read the answer.
public struct SCIMRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}

/// The connection of the request a task serves, for the work below it to ask whether its
/// client is still connected.
enum ClientConnection {
    @TaskLocal static var channel: (any Channel)?

    /// False once the client closed the request's connection, or its side of it (or the
    /// server closed it, on a timeout): nobody will read the answer.
    static var isOpen: Bool {
        guard let channel else { return true }
        return channel.isActive && !ClientInput.isClosed(channel)
    }
}

/// The client of a request closed its connection before the request reached the directory,
/// or while its statement ran, which was then stopped: the work was not done.
struct ClientGone: Error, CustomStringConvertible {
    /// The request's statement was running and was stopped (its transaction rolled back).
    var statementStopped = false

    var description: String {
        statementStopped
            ? "the client closed its connection while its request ran: the statement was stopped and nothing written"
            : "the client closed its connection before the request was served"
    }
}

/// Runs each request with its connection at hand (``ClientConnection``), so that work for a
/// client that is gone is skipped rather than done for nobody: a request waiting for a
/// database connection behind others does not run once its client left (a client that gave
/// up on a slow answer and retried would otherwise add the same work again and again).
struct ClientConnectionMiddleware: RouterMiddleware {
    typealias Context = SCIMRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        // A connection is active when its request arrives; one that is not (a test's channel
        // that never connected) has no state to follow.
        try await ClientConnection.$channel.withValue(context.channel.isActive ? context.channel : nil) {
            try await next(request, context)
        }
    }
}

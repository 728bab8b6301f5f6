/// A source the platform pushes events to over HTTP (its event callbacks), received on the
/// admin server at `/callbacks/<pipeline>`. The platform cannot carry the admin token: the
/// receiver authenticates each request itself (the platform's signature, its encryption) and
/// answers within the platform's deadline; what the events say is applied by the pipeline's
/// stream, not by the request.
public protocol CallbackReceiver: Sendable {
    /// Verifies, decrypts and queues what `request` says; the answer the platform expects
    /// (its URL check, an encrypted "success"), or a refusal (4xx) for a request the platform
    /// did not sign.
    func receive(_ request: CallbackRequest) async -> CallbackAnswer
}

/// One HTTP request to a callback URL, as the receiver reads it.
public struct CallbackRequest: Sendable {
    /// `GET` (WeCom's URL check) or `POST`.
    public var method: String
    /// The query's parameters, percent-decoded (`msg_signature`, `timestamp`, `nonce`, …).
    public var query: [String: String]
    /// Header fields by lower-cased name (`x-lark-signature`, …).
    public var headers: [String: String]
    /// The body as sent; the admin server bounds its size.
    public var body: [UInt8]

    public init(method: String, query: [String: String] = [:], headers: [String: String] = [:], body: [UInt8] = []) {
        self.method = method
        self.query = query
        self.headers = headers
        self.body = body
    }
}

/// What became of the events of one callback request, for the metrics.
public struct CallbackDelivery: Sendable, Hashable {
    /// Events queued for the stream to fetch and apply.
    public var queued = 0
    /// Events already delivered (a platform retries what it thinks was lost).
    public var duplicates = 0
    /// Events left to a full read: the queue was full, so it was dropped and a full read asked
    /// for, which covers these events and those after them until it runs.
    public var fullRead = 0

    public init(queued: Int = 0, duplicates: Int = 0, fullRead: Int = 0) {
        self.queued = queued
        self.duplicates = duplicates
        self.fullRead = fullRead
    }
}

/// What the callback URL answers.
public struct CallbackAnswer: Sendable, Hashable {
    public var status: Int
    public var contentType: String
    public var body: [UInt8]
    /// What became of the request's events (none for a URL check or a refusal).
    public var delivery = CallbackDelivery()

    public init(status: Int, contentType: String = "text/plain; charset=utf-8", body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    /// A refusal: `status` (400 for a malformed request, 401 for a signature that does not
    /// verify) with a short reason that names nothing secret.
    public static func refusal(_ status: Int, _ reason: String) -> CallbackAnswer {
        CallbackAnswer(status: status, body: Array(reason.utf8))
    }
}

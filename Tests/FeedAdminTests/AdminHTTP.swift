import AsyncHTTPClient
import Config
import Daemon
import FeedAdmin
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Testing
import TestSupport

/// The admin server of `run` with the feed routes of a ``FeedFixture``, listening on a free
/// loopback port, and a client for it.
struct AdminHTTP {
    let port: Int

    /// Runs `body` against an admin server serving `fixture`'s feeds.
    static func with(
        _ fixture: FeedFixture, maxUploadBytes: Int = 1 << 20, _ body: @Sendable (AdminHTTP) async throws -> Void
    ) async throws {
        let loaded = try fixture.loaded()
        let logger = Logger(label: "scimsync-test")
        let routes = FeedRoutes(sites: try FeedRoutes.sites(of: loaded), maxUploadBytes: maxUploadBytes, logger: logger)
        var http = loaded.http
        http.port = 0
        http.host = "127.0.0.1"
        try await withListeningServer({ onServerRunning in
            AdminServer.application(
                http, states: PipelineStates(pipelines: ["hr"]), metrics: DaemonMetrics(), routes: [routes], logger: logger,
                onServerRunning: onServerRunning)
        }) { port in try await body(AdminHTTP(port: port)) }
    }

    struct Answer {
        var status: Int
        var headers: [String: String]
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
        /// The body as a JSON object (empty when it is none).
        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
        }
    }

    /// Sends a request; `token` nil sends no Authorization header.
    func send(
        _ method: HTTPMethod, _ path: String, token: String? = FeedFixture.token, contentType: String? = nil,
        body: [UInt8]? = nil
    ) async throws -> Answer {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(120))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        var headers: [String: String] = [:]
        for header in response.headers { headers[header.name.lowercased()] = header.value }
        return Answer(status: Int(response.status.code), headers: headers, body: Array(bytes.readableBytesView))
    }

    /// A multipart/form-data body with one part per (field, file name, content).
    static func multipart(_ parts: [(field: String, file: String?, content: String)], boundary: String = "scimsync-test-7f3a")
        -> (contentType: String, body: [UInt8])
    {
        var text = ""
        for part in parts {
            text += "--\(boundary)\r\n"
            if let file = part.file {
                text += "Content-Disposition: form-data; name=\"\(part.field)\"; filename=\"\(file)\"\r\n"
                text += "Content-Type: text/tab-separated-values\r\n\r\n"
            } else {
                text += "Content-Disposition: form-data; name=\"\(part.field)\"\r\n\r\n"
            }
            text += part.content + "\r\n"
        }
        text += "--\(boundary)--\r\n"
        return ("multipart/form-data; boundary=\(boundary)", Array(text.utf8))
    }
}

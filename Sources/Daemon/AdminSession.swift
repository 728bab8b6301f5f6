import Crypto
import Foundation
import HTTPLimits
import Hummingbird
import Synchronization

/// The signed session cookie of the admin page and the CSRF tokens tied to it.
///
/// The signing key is derived from `http.token` (HMAC-SHA256 of a fixed label), so the
/// cookie never carries the token, every process serving the same token accepts the same
/// sessions, and changing the token ends them all. A cookie holds an expiry, a random session
/// id and the name the operator gave at login, with an HMAC over them.
///
/// A signed cookie stays valid until it expires, wherever it was copied to, so logging out
/// (``end(_:)``) is remembered by the process until the session would have expired: the
/// browser forgets the cookie, and a copy of it no longer opens a page either.
public struct AdminSession: Sendable {
    /// The cookie's name.
    public static let cookieName = "scimsync_admin"
    /// The login form, the one page path open without credentials.
    public static let loginPath = "/admin/login"
    /// How long a login lasts.
    public static let lifetimeSeconds = 12 * 3600

    /// A verified session.
    public struct Session: Sendable, Hashable {
        /// Random, per login; the CSRF token is derived from it.
        public var id: String
        /// What the operator called themselves at login (may be empty).
        public var name: String
        /// Seconds since 1970.
        public var expires: Int
    }

    private let key: SymmetricKey
    private let token: [UInt8]

    public init(token: String) {
        self.token = Array(token.utf8)
        let derived = HMAC<SHA256>.authenticationCode(
            for: Array("scimsync admin page session key v1".utf8), using: SymmetricKey(data: Array(token.utf8)))
        key = SymmetricKey(data: Array(derived))
    }

    /// Whether `candidate` is the admin token, in time that does not depend on where it differs.
    public func isToken(_ candidate: String) -> Bool {
        BearerCredentials.constantTimeEquals(Array(candidate.utf8), token)
    }

    /// Whether `request` carries `Authorization: Bearer <http.token>`.
    public func hasBearer(_ request: Request) -> Bool {
        guard let header = request.headers[.authorization] else { return false }
        return BearerCredentials.matches(header, token)
    }

    /// A new session for `name`, and the `Set-Cookie` value that carries it.
    public func start(name: String, now: Date = Date()) -> (session: Session, setCookie: String) {
        let id = (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        let session = Session(id: id, name: name, expires: Int(now.timeIntervalSince1970) + Self.lifetimeSeconds)
        let payload = Array("v1|\(session.expires)|\(id)|\(name)".utf8)
        let mac = HMAC<SHA256>.authenticationCode(for: payload, using: key)
        let value = Self.base64URL(payload) + "." + Self.base64URL(Array(mac))
        return (session, "\(Self.cookieName)=\(value); Path=/admin; Max-Age=\(Self.lifetimeSeconds); HttpOnly; SameSite=Strict")
    }

    /// Sessions logged out before they expired, in this process: id and expiry. Every
    /// `AdminSession` of the process (the middleware's, each page's) shares it.
    private static let ended = Mutex<[String: Int]>([:])

    /// Ends `session`: its cookie opens nothing more in this process.
    public func end(_ session: Session, now: Date = Date()) {
        let seconds = Int(now.timeIntervalSince1970)
        Self.ended.withLock { ended in
            // Only logged-in operators end sessions, so the list stays small; what expired
            // needs no remembering.
            ended = ended.filter { $0.value > seconds }
            ended[session.id] = session.expires
        }
    }

    /// The `Set-Cookie` value that ends a session in the browser.
    public static let endCookie = "\(cookieName)=; Path=/admin; Max-Age=0; HttpOnly; SameSite=Strict"

    /// The session of `request`'s cookie, if it is signed with this key and not expired.
    public func session(of request: Request, now: Date = Date()) -> Session? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let trimmed = pair.trimmingCharacters(in: .whitespaces)
                guard trimmed.hasPrefix(Self.cookieName + "=") else { continue }
                if let session = verify(String(trimmed.dropFirst(Self.cookieName.count + 1)), now: now) { return session }
            }
        }
        return nil
    }

    func verify(_ value: String, now: Date) -> Session? {
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let payload = Self.bytes(base64URL: parts[0]), let mac = Self.bytes(base64URL: parts[1]),
            HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: payload, using: key)
        else { return nil }
        let fields = String(decoding: payload, as: UTF8.self).split(separator: "|", maxSplits: 3, omittingEmptySubsequences: false)
        guard fields.count == 4, fields[0] == "v1", let expires = Int(fields[1]), expires > Int(now.timeIntervalSince1970)
        else { return nil }
        let id = String(fields[2])
        if Self.ended.withLock({ $0[id] != nil }) { return nil }
        return Session(id: id, name: String(fields[3]), expires: expires)
    }

    /// The CSRF token of `session`: a form's POST must carry it.
    public func csrfToken(for session: Session) -> String {
        Self.base64URL(Array(HMAC<SHA256>.authenticationCode(for: Array("csrf|\(session.id)".utf8), using: key)))
    }

    /// Whether `candidate` is the CSRF token of `session`.
    public func isCSRFToken(_ candidate: String, for session: Session) -> Bool {
        BearerCredentials.constantTimeEquals(Array(candidate.utf8), Array(csrfToken(for: session).utf8))
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func bytes(base64URL text: Substring) -> [UInt8]? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64).map(Array.init)
    }
}

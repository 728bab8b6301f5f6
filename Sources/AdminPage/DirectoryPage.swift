import Config
import Daemon
import Directory
import Foundation
import Hummingbird
import Logging
import NIOPosix
import SCIM
import Targets

/// The admin page of `scimsync serve`: no pipeline runs there, so it shows what the SCIM
/// server serves (its URL, authentication, limits, the directory database) and finds a user
/// by userName or id, or a group by id, in that directory, as the SCIM server would return it.
///
/// | path | what it shows |
/// | --- | --- |
/// | `GET /admin?q=` | the SCIM server's settings; with `q`, the users and groups it names |
/// | `GET`, `POST /admin/login`, `POST /admin/logout` | the session cookie, as on `run`'s page |
public struct DirectoryPage: AdminRoutes {
    let scim: SCIMServerConfig
    let login: AdminLogin
    /// Failed logins per client address (the form's and wrong bearer tokens): the limit the
    /// admin server's token middleware counts wrong bearer tokens into.
    public var loginLimit: LoginLimiter? { login.limit }

    static let sections: [(path: String, label: String)] = [("/admin", "Directory")]

    /// - Parameters:
    ///   - scim: the configuration's `scim:` block, whose directory the page reads.
    ///   - token: `http.token`, which logs in.
    public init(scim: SCIMServerConfig, token: String, logger: Logger) {
        self.init(scim: scim, token: token, loginLimit: LoginLimiter(), logger: logger)
    }

    init(scim: SCIMServerConfig, token: String, loginLimit: LoginLimiter, logger: Logger) {
        self.scim = scim
        login = AdminLogin(
            session: AdminSession(token: token), limit: loginLimit, home: "/admin", sections: Self.sections, logger: logger)
    }

    public func add(to router: Router<AdminRequestContext>) {
        login.add(to: router)
        router.get("admin") { request, _ in try await directory(request) }
    }

    func directory(_ request: Request) async throws -> Response {
        let viewer = login.viewer(request)
        let query = formFields(request.uri.query ?? "")
        let value = String((query["q"] ?? "").trimmingCharacters(in: .whitespaces).prefix(AdminPage.maxQueryLength))
        guard !value.isEmpty else {
            return AdminPage.page(.ok, AdminViews.directory(scim, query: "", found: nil, problem: nil, viewer: viewer))
        }
        let endpoint = scim.directory
        do {
            // Reads the directory database: blocking I/O, off the cooperative pool.
            let found = try await NIOThreadPool.singleton.runIfActive {
                try Self.lookUp(value, in: try SQLTarget.open(endpoint))
            }
            return AdminPage.page(.ok, AdminViews.directory(scim, query: value, found: found, problem: nil, viewer: viewer))
        } catch {
            login.logger.error("admin page: the directory cannot be read", metadata: ["error": "\(error)"])
            return AdminPage.page(
                .internalServerError,
                AdminViews.directory(scim, query: value, found: nil, problem: "Cannot read the directory: \(error)", viewer: viewer))
        }
    }

    /// The user whose userName is `value`, the user and the group whose id is `value`.
    static func lookUp(_ value: String, in directory: SQLTarget) throws -> [(matchedBy: String, kind: ResourceKind, resource: SCIMResource)] {
        var found: [(matchedBy: String, kind: ResourceKind, resource: SCIMResource)] = []
        for id in try directory.ids(.user, where: AttributePath(attribute: "userName"), equals: .string(value)) {
            if let user = try directory.resource(.user, id: id) { found.append(("userName", .user, user)) }
        }
        if let user = try directory.resource(.user, id: value), !found.contains(where: { $0.resource.id == user.id }) {
            found.append(("id", .user, user))
        }
        if directory.layout.groups != nil, let group = try directory.resource(.group, id: value) {
            found.append(("id", .group, group))
        }
        return found
    }
}

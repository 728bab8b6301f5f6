import Config
import Daemon
import FeedSource
import Foundation
import HTTPTypes
import HTTPLimits
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import SCIM

/// The feed endpoints of the admin server, for every feed pipeline (`{pipeline}` is its name).
/// The admin server puts them behind `http.token`; every answer is JSON but a file's download.
///
/// | method and path | what it does |
/// | --- | --- |
/// | `GET /feeds` | the feed pipelines |
/// | `POST /feeds/{pipeline}/runs` | multipart/form-data: a whole run, every part with a file name a file; an empty body: a run to fill one file per request |
/// | `PUT /feeds/{pipeline}/runs/{run}/files/{name}` | one file of an `uploading` run, the body as it is |
/// | `POST /feeds/{pipeline}/runs/{run}/finish` | every file is in: read them, apply the safety rule |
/// | `GET /feeds/{pipeline}/runs` | the runs, newest first |
/// | `GET /feeds/{pipeline}/runs/{run}` | one run with its log |
/// | `POST /feeds/{pipeline}/runs/{run}/apply` | approve a held run |
/// | `POST /feeds/{pipeline}/runs/{run}/cancel` | cancel a run that has not started applying |
/// | `GET /feeds/{pipeline}/runs/{run}/files` | the names of the files kept for a run |
/// | `GET /feeds/{pipeline}/runs/{run}/files/{name}` | download one |
/// | `GET /feeds/{pipeline}/users/{userName}` | what the feed knows of a user |
///
/// `?by=NAME` on an upload or an approval records who did it (default `http`).
public struct FeedRoutes: AdminRoutes {
    /// The feed of each feed pipeline, by pipeline name.
    public let sites: [String: FeedSite]
    /// `http.maxUploadSize`: the largest body an upload may have.
    public let maxUploadBytes: Int
    public let logger: Logger

    public init(sites: [String: FeedSite], maxUploadBytes: Int, logger: Logger) {
        self.sites = sites
        self.maxUploadBytes = maxUploadBytes
        self.logger = logger
    }

    public func add(to router: Router<AdminRequestContext>) {
        router.get("feeds") { _, _ in
            Self.json(["feeds": .array(sites.keys.sorted().map(SCIMValue.string))])
        }
        let feed = router.group("feeds/:pipeline")
        feed.post("runs") { request, context in try await upload(request, context) }
        feed.get("runs") { _, context in
            let (name, site) = try lookUp(context)
            return Self.json(FeedViews.runs(try Self.answer { try site.runs() }, pipeline: name))
        }
        feed.get("runs/:run") { _, context in
            let (name, site) = try lookUp(context)
            let run = try Self.runID(context)
            guard let record = try Self.answer({ try site.run(run) }) else { throw Self.noSuchRun(run, name) }
            return Self.json(FeedViews.run(record, pipeline: name, log: try Self.answer { try site.log(of: run) }))
        }
        feed.put("runs/:run/files/:name") { request, context in try await putFile(request, context) }
        feed.post("runs/:run/finish") { _, context in
            let (name, site) = try lookUp(context)
            let run = try Self.runID(context)
            let staged = try await Self.reading { try site.finishUpload(run: run) }
            logger.info("feed upload finished", metadata: ["pipeline": "\(name)", "run": "\(run)", "state": "\(staged.run.state.rawValue)"])
            noteUnlistedFiles(of: staged, pipeline: name)
            return Self.json(FeedViews.run(staged.run, pipeline: name, log: try Self.answer { try site.log(of: run) }))
        }
        feed.post("runs/:run/apply") { request, context in
            let (name, site) = try lookUp(context)
            let run = try Self.runID(context)
            let by = try Self.by(request)
            let record = try Self.answer { try site.approve(run: run, by: by) }
            logger.info(
                record.approvedBy == by ? "feed run approved" : "feed run already approved",
                metadata: ["pipeline": "\(name)", "run": "\(run)", "by": "\(LogText.safe(by))"])
            return Self.json(FeedViews.run(record, pipeline: name))
        }
        feed.post("runs/:run/cancel") { _, context in
            let (name, site) = try lookUp(context)
            let run = try Self.runID(context)
            try Self.answer { try site.cancel(run: run) }
            logger.info("feed run cancelled", metadata: ["pipeline": "\(name)", "run": "\(run)"])
            guard let record = try Self.answer({ try site.run(run) }) else { throw Self.noSuchRun(run, name) }
            return Self.json(FeedViews.run(record, pipeline: name))
        }
        feed.get("runs/:run/files") { _, context in
            let (name, site) = try lookUp(context)
            let run = try Self.runID(context)
            let names = try Self.answer { try site.fileNames(run: run) }
            return Self.json([
                "pipeline": .string(name), "run": .integer(run), "files": .array(names.map(SCIMValue.string)),
            ])
        }
        feed.get("runs/:run/files/:name") { _, context in
            let (_, site) = try lookUp(context)
            let run = try Self.runID(context)
            let file = try Self.pathParameter("name", context)
            let path = try Self.answer { try site.filePath(run: run, name: file) }
            let body = try await FileIO().loadFile(path: path, context: context)
            return Response(
                status: .ok,
                headers: [
                    .contentType: "application/octet-stream",
                    .contentDisposition: "attachment; filename*=UTF-8''\(Self.percentEncoded(file))",
                ], body: body)
        }
        feed.get("users/:userName") { _, context in
            let (name, site) = try lookUp(context)
            let userName = try Self.pathParameter("userName", context)
            guard let user = try Self.answer({ try site.user(named: userName) }) else {
                throw FeedRequestError(.notFound, "the feed \(name) has never received a user named \(userName)")
            }
            return Self.json(FeedViews.user(user, pipeline: name))
        }
        for (path, methods) in Self.allowedMethods {
            MethodNotAllowed.refuse(on: router, path: path, allowing: methods) { allow in
                Self.json(["error": .string("this path takes \(allow)")], status: .methodNotAllowed)
            }
        }
    }

    /// The methods each path takes; HEAD goes with GET. The others are a 405 that names them.
    static let allowedMethods: [(path: String, methods: [HTTPRequest.Method])] = [
        ("feeds", [.get]),
        ("feeds/:pipeline/runs", [.get, .post]),
        ("feeds/:pipeline/runs/:run", [.get]),
        ("feeds/:pipeline/runs/:run/finish", [.post]),
        ("feeds/:pipeline/runs/:run/apply", [.post]),
        ("feeds/:pipeline/runs/:run/cancel", [.post]),
        ("feeds/:pipeline/runs/:run/files", [.get]),
        ("feeds/:pipeline/runs/:run/files/:name", [.get, .put]),
        ("feeds/:pipeline/users/:userName", [.get]),
    ]

    /// The pipeline named in the path and its feed; 404 for one that is no feed.
    func lookUp(_ context: AdminRequestContext) throws -> (String, FeedSite) {
        let name = try Self.pathParameter("pipeline", context)
        guard let site = sites[name] else {
            let known = sites.keys.sorted().joined(separator: ", ")
            throw FeedRequestError(
                .notFound, "no feed pipeline is named \(name); \(known.isEmpty ? "this configuration has none" : "the feeds are \(known)")")
        }
        return (name, site)
    }

    static func pathParameter(_ key: String, _ context: AdminRequestContext) throws -> String {
        guard let raw = context.parameters.get(key) else {
            throw FeedRequestError(.badRequest, "the path has no \(key)")
        }
        // Hummingbird hands path components as they were sent, percent-encoded.
        return raw.removingPercentEncoding ?? raw
    }

    static func runID(_ context: AdminRequestContext) throws -> Int64 {
        let text = try pathParameter("run", context)
        guard let run = Int64(text), run > 0 else {
            throw FeedRequestError(.badRequest, "\"\(text)\" is not a run: runs are numbered 1, 2, 3 … (GET …/runs lists them)")
        }
        return run
    }

    /// Who made a request, from `?by=NAME`: kept in the run and shown by `feed show`, the
    /// admin page and the logs, so a name with control or format characters (a line break, a
    /// terminal escape, a bidirectional override) is refused rather than stored.
    static func by(_ request: Request) throws -> String {
        guard let by = request.uri.queryParameters.get("by"), !by.isEmpty else { return "http" }
        guard by.unicodeScalars.count <= 100, !by.unicodeScalars.contains(where: LogText.isLayoutControl) else {
            throw FeedRequestError(.badRequest, "by= names who sent the request: at most 100 characters, none of them control characters")
        }
        return "http (\(by))"
    }

    static func noSuchRun(_ run: Int64, _ pipeline: String) -> FeedRequestError {
        FeedRequestError(.notFound, "the feed \(pipeline) has no run \(run)")
    }

    static func json(_ value: SCIMValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: value.jsonBytes() + [0x0A])))
    }

    /// Runs a feed step, turning its errors into answers with the status they deserve.
    @discardableResult
    static func answer<T>(_ body: () throws -> T) throws(FeedRequestError) -> T {
        do {
            return try body()
        } catch let error as FeedRequestError {
            throw error
        } catch let error as FeedSiteError {
            throw FeedRequestError(error)
        } catch {
            throw FeedRequestError(.internalServerError, "the feed failed: \(error)")
        }
    }

    /// Reads an upload into the feed's store (``answer(_:)``) on NIO's blocking-I/O thread pool:
    /// reading a large export takes minutes of SQLite writes, which must not hold one of the
    /// few threads of Swift's cooperative pool that the pipelines and the other requests run on.
    static func reading<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws(FeedRequestError) -> T {
        do {
            return try await NIOThreadPool.singleton.runIfActive { try answer(body) }
        } catch let error as FeedRequestError {
            throw error
        } catch {
            throw FeedRequestError(.serviceUnavailable, "the server is stopping; send the upload again later")
        }
    }

    private static func percentEncoded(_ name: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return name.addingPercentEncoding(withAllowedCharacters: allowed) ?? name
    }
}

extension FeedRoutes {
    /// The feeds of a configuration's feed pipelines, opened (their stores created when new).
    /// - Throws: ``FeedSiteError`` when a feed's directory or store cannot be opened.
    public static func sites(of config: ScimsyncConfig) throws(FeedSiteError) -> [String: FeedSite] {
        var sites: [String: FeedSite] = [:]
        for pipeline in config.pipelines {
            guard let settings = pipeline.source.settings(FeedSourceConfig.self) else { continue }
            sites[pipeline.name] = try FeedSite(settings: settings, pipeline: pipeline.name, offsetsPath: config.offsets.path)
        }
        return sites
    }
}

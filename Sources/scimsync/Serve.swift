import AdminPage
import ArgumentParser
import Config
import Daemon
import Directory
import Foundation
import HTTPLimits
import Hummingbird
import Logging
import SCIMServer
import SQLClients
import ServiceLifecycle
import Targets

/// `scimsync serve`: the configuration's `scim:` directory as a SCIM 2.0 service provider,
/// until SIGTERM or SIGINT.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the configuration's scim: directory as a SCIM 2.0 service provider.",
        discussion: """
            Reads and writes the layout's tables: a replication pipeline reading that database \
            streams the writes on. With http.token set, the admin server (http.host:http.port) \
            serves /healthz, /metrics and the admin page (/admin) beside it. SIGTERM or SIGINT \
            finishes the requests in flight and exits 0.
            """
    )

    @Option(name: .shortAndLong, help: "The configuration file.")
    var config: String

    func run() async throws {
        let loaded = try loadConfig(config)
        guard let scim = loaded.scim else {
            FileHandle.standardError.write(Data("\(config): no \"scim\" block: add one (docs/configuration.md, \"scim\") to serve a directory\n".utf8))
            throw ExitCode(2)
        }
        let logger = Logger(label: "scimsync")
        for (key, host, port) in [("scim.port", scim.host, scim.port)]
            + (loaded.http.token != nil ? [("http.port", loaded.http.host, loaded.http.port)] : [])
        {
            if let problem = ListeningCheck.problem(host: host, port: port, key: key, file: config) {
                FileHandle.standardError.write(Data("scimsync serve: \(problem)\n".utf8))
                throw ExitCode(1)
            }
        }
        let server: any Service
        do {
            server = try SCIMServerFactory.application(scim, logger: logger)
        } catch {
            FileHandle.standardError.write(Data("scimsync serve: \(error)\n".utf8))
            throw ExitCode(1)
        }
        var services: [any Service] = [server]
        if let token = loaded.http.token {
            // With http.token, an admin server beside it as `run` has: /healthz, /metrics and
            // the admin page, which shows what is served and finds users and groups in it.
            services.append(
                AdminServer.application(
                    loaded.http, states: PipelineStates(pipelines: []), metrics: DaemonMetrics(),
                    page: DirectoryPage(scim: scim, token: token, logger: logger), logger: logger))
        }
        let hangUp = HangUpSignal.ignore(logger: logger)
        defer { hangUp.cancel() }
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            logger.critical("stopped", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        }
    }
}

/// Builds the SCIM server a `scim:` block describes; `run` uses it too.
enum SCIMServerFactory {
    /// Opens one connection first, so that a wrong password or a missing table stops the
    /// command with a clear error instead of failing every request.
    static func application(_ scim: SCIMServerConfig, logger: Logger) throws -> any Service {
        let directory = scim.directory
        // One for every connection of the pool: once a pooler in front of PostgreSQL lost a
        // prepared statement, none of them prepares any more.
        let preparation = PostgresStatementPreparation()
        let first = try SQLTarget.open(directory, preparation: preparation)
        let required = Dictionary(uniqueKeysWithValues: ResourceKind.allCases.map { ($0, first.requiredAttributes($0)) })
        let pool = DirectoryPool(size: scim.connections) { try SQLTarget.open(directory, preparation: preparation) }
        let settings = SCIMSettings(
            basePath: scim.basePath, maxPageSize: scim.maxPageSize, token: scim.token, maxBodyBytes: scim.maxBodyBytes,
            publicURL: scim.publicURL, trustForwardedHeaders: scim.trustForwardedHeaders, maxOperations: scim.maxOperations,
            maxMembers: scim.maxMembers)
        let service = SCIMService(
            pool: pool, layout: directory.layout, settings: settings, logger: logger, requiredAttributes: required)
        logger.info(
            "serving SCIM",
            metadata: [
                "url": "http://\(scim.host):\(scim.port)\(scim.basePath)",
                "database": "\(directory.connection)",
                "authentication": "\(scim.token == nil ? "none (token: none)" : "bearer token")",
            ])
        return SCIMApplication.make(
            service: service, host: scim.host, port: scim.port, limits: HTTPServerLimits(scim.limits))
    }
}

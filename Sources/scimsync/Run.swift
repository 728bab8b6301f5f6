import AdminPage
import ArgumentParser
import Config
import Connectors
import Daemon
import FeedAdmin
import FeedSource
import Foundation
import Hummingbird
import Logging
import OffsetStore
import ServiceLifecycle
import SourceKinds
import TargetKinds

/// `scimsync run`: every pipeline of the configuration and the admin HTTP server, until
/// SIGTERM or SIGINT.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run every pipeline: first load, then stream changes into the targets.",
        discussion: """
            SIGTERM or SIGINT stops reading, lets the batch in flight commit with its offset (a SQL \
            target's batch still waiting 10 s later is stopped, and applied again at the next start), and \
            exits 0; a stop still held after 30 s exits 1 without waiting further. A pipeline that fails for good (a lost binlog position, an undecodable event) \
            stops alone and /readyz says so; the others go on.
            """
    )

    @Option(name: .shortAndLong, help: "The configuration file.")
    var config: String

    func run() async throws {
        let loaded = try loadConfig(config)
        let logger = Logger(label: "scimsync")
        // One writer per offset store, held until this process ends: a second `run` (or a
        // `reconcile`) on the same store refuses to start and names this one.
        let lock: OffsetStoreLock
        do {
            lock = try OffsetStoreLock(storePath: loaded.offsets.path, command: "scimsync run")
        } catch {
            FileHandle.standardError.write(Data("scimsync run: \(error)\n".utf8))
            throw ExitCode(1)
        }
        defer { withExtendedLifetime(lock) {} }
        let store: OffsetStore
        do {
            store = try OffsetStore(path: loaded.offsets.path)
        } catch {
            logger.critical("cannot open the offset store", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        }
        store.keepJournal(loaded.journal.policy)
        for warning in loaded.warnings { logger.warning("\(warning)") }
        for warning in (try? store.forgottenPipelineWarnings(configured: loaded.pipelines.map(\.name))) ?? [] {
            logger.warning("\(warning)")
        }
        // Before any pipeline writes: a port another process holds ends the command here.
        for (key, host, port) in [("http.port", loaded.http.host, loaded.http.port)]
            + (loaded.scim.map { [("scim.port", $0.host, $0.port)] } ?? [])
        {
            if let problem = ListeningCheck.problem(host: host, port: port, key: key, file: config) {
                logger.critical("\(problem)")
                FileHandle.standardError.write(Data("scimsync run: \(problem)\n".utf8))
                throw ExitCode(1)
            }
        }
        let states = PipelineStates(pipelines: loaded.pipelines.map(\.name))
        let metrics = DaemonMetrics()
        // The sources' event-callback receivers, registered as the pipelines start; served at
        // /callbacks/<pipeline> on the admin server.
        let callbacks = CallbackHub()

        var services: [ServiceGroupConfiguration.ServiceConfiguration] = loaded.pipelines.map { pipeline in
            let runner = Pipeline(
                configuration: pipeline, store: store, sources: SourceKinds.registry, targets: TargetKinds.registry,
                states: states, metrics: metrics, logger: logger, journalValues: loaded.journal.values,
                callbacks: callbacks)
            // A pipeline that stops alone leaves the others (and the health endpoints) running.
            return .init(
                service: PipelineService(pipeline: runner, logger: logger), successTerminationBehavior: .ignore,
                failureTerminationBehavior: .ignore, serviceName: "pipeline \(pipeline.name)")
        }
        if let scim = loaded.scim {
            // The same server as `scimsync serve`, beside the pipelines.
            do {
                services.append(.init(service: try SCIMServerFactory.application(scim, logger: logger)))
            } catch {
                logger.critical("cannot start the SCIM server", metadata: ["error": "\(error)"])
                throw ExitCode(1)
            }
        }
        // The feeds' uploads and runs over HTTP, beside health and metrics (behind http.token,
        // which the configuration requires once there is a feed).
        let feedSites: [String: FeedSite]
        do throws(FeedSiteError) {
            feedSites = try FeedRoutes.sites(of: loaded)
        } catch {
            logger.critical("cannot open a feed", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        }
        let routes: [any AdminRoutes] =
            feedSites.isEmpty
            ? [] : [FeedRoutes(sites: feedSites, maxUploadBytes: loaded.http.maxUploadBytes, logger: logger)]
        // The admin page: served with http.token only (without one, /admin says why not).
        let page = AdminPage(
            config: loaded, token: loaded.http.token ?? "", store: store, metrics: metrics, feeds: feedSites, logger: logger)
        services.append(
            .init(
                service: AdminServer.application(
                    loaded.http, states: states, metrics: metrics, routes: routes, page: page, callbacks: callbacks,
                    logger: logger)))
        // A store deleted under the daemon ends the group: its failure shuts the rest down.
        services.append(
            .init(
                service: OffsetStoreWatch(store: store, logger: logger), successTerminationBehavior: .ignore,
                failureTerminationBehavior: .gracefullyShutdownGroup))
        let hangUp = HangUpSignal.ignore(logger: logger)
        defer { hangUp.cancel() }
        let stopDeadline = StopDeadline.arm(after: .seconds(30), logger: logger)
        defer { for source in stopDeadline { source.cancel() } }
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        var failure: (any Error)?
        do {
            try await group.run()
        } catch {
            failure = error
        }
        // Also after a clean stop: the store may have gone since the watch last looked.
        if !store.isAtItsPath {
            writeBack(store, logger: logger)
            throw ExitCode(1)
        }
        if let failure {
            logger.critical("stopped", metadata: ["error": "\(failure)"])
            throw ExitCode(1)
        }
    }

    /// Writes back the store whose file went away, and says where it is and what to do.
    private func writeBack(_ store: OffsetStore, logger: Logger) {
        let message: String
        do throws(OffsetStoreError) {
            let copy = try store.writeBack()
            message =
                copy == store.path
                ? "the offset store \(store.path) was deleted while scimsync ran; what it held is written back there, and the "
                    + "next start goes on from the positions it holds"
                : "the offset store \(store.path) was replaced by another file while scimsync ran; what the open store held "
                    + "is in \(copy): move it to \(store.path) to go on from its positions, or keep the new file"
        } catch {
            message =
                "the offset store \(store.path) was deleted or replaced while scimsync ran, and could not be written back "
                + "(\(error)): the next start loads again from the sources"
        }
        logger.critical("\(message)")
        FileHandle.standardError.write(Data("scimsync run: \(message)\n".utf8))
    }
}

/// A pipeline as a service: graceful shutdown cancels its reading, which stops after the
/// batch in flight has committed with its offset.
///
/// A pipeline that failed because the offset store could not be written (a full disk, a
/// store briefly unwritable) starts again after a wait, from its stored position: what the
/// target already has is applied again, which changes nothing. Left failed, it would wait for
/// a restart that a supervisor never makes, since the daemon itself keeps running.
struct PipelineService: Service {
    let pipeline: Pipeline
    let logger: Logger

    func run() async throws {
        let name = pipeline.configuration.name
        var wait = Duration.seconds(1)
        while true {
            do {
                try await cancelWhenGracefulShutdown { [pipeline] in try await pipeline.run() }
                return
            } catch is CancellationError {
                return
            } catch let error as OffsetStoreError {
                guard case .cannotWrite = error else { throw stopped(error) }
                logger.error(
                    "the offset store cannot be written; the pipeline starts again in \(wait)",
                    metadata: ["pipeline": "\(name)", "error": "\(error)"])
                do {
                    try await cancelWhenGracefulShutdown { [wait] in try await Task.sleep(for: wait) }
                } catch {
                    return
                }
                wait = min(wait * 2, .seconds(60))
            } catch {
                throw stopped(error)
            }
        }
    }

    private func stopped(_ error: any Error) -> any Error {
        logger.error("pipeline stopped", metadata: ["pipeline": "\(pipeline.configuration.name)", "error": "\(error)"])
        return error
    }
}

extension JournalConfig {
    /// The offset store's policy for this configuration; nil when `journal.keep` is off.
    var policy: JournalPolicy? {
        keepSeconds.map { JournalPolicy(keepSeconds: $0, maxEntries: maxEntries) }
    }
}

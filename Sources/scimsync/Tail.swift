import ArgumentParser
import Config
import Daemon
import Foundation
import Logging
import MySQLSource

/// `scimsync tail`: what scimsync sees in a source's binlog, one JSON line per row change.
struct Tail: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Print every row change of a pipeline's MySQL/MariaDB source as one JSON line.",
        discussion: """
            Each line: {"table","op","before","after","position","gtid","ts"}. Reads the tables of \
            the pipeline's source layout, or any tables with --tables. Stops at --until, or runs \
            until interrupted or until the reader of its output goes away (as `| head` does). A \
            transaction of more than --part-size row changes is printed a part at a time as it is \
            read: until its last part, its lines carry the position before the transaction (where \
            reading resumes to see it whole).
            """
    )

    @Option(name: .shortAndLong, help: "The configuration file.")
    var config: String

    @Option(help: "The pipeline whose source to read (needed when the file has several).")
    var pipeline: String?

    @Option(help: "Where to start: earliest, now, FILE:POS or a MariaDB GTID such as 0-1-42.")
    var from: String = "now"

    @Option(help: "Where to stop: now (the server's position at start) or FILE:POS.")
    var until: String?

    @Option(help: "Tables to read instead of the layout's, as database.table,database.table.")
    var tables: String?

    @Option(help: "The most row changes of one transaction held in memory at once.")
    var partSize: Int = 10_000

    @Option(help: "The replica id to announce (default: a random one, so a running pipeline keeps its connection).")
    var serverId: UInt32?

    func run() async throws {
        let loaded: ScimsyncConfig
        do {
            loaded = try ConfigLoader.load(path: config, kinds: configKinds)
        } catch {
            Self.fail(error.description, code: 2)
        }
        guard partSize >= 1 else {
            Self.fail("scimsync tail: --part-size \(partSize): expected a number of row changes, 1 or more", code: 2)
        }
        let range: TailRange
        do {
            range = try TailRange(from: from, until: until, tables: tables)
        } catch {
            Self.fail("scimsync tail: \(error)", code: 2)
        }
        let chosen: PipelineConfig
        if let pipeline {
            guard let match = loaded.pipelines.first(where: { $0.name == pipeline }) else {
                Self.fail("scimsync tail: no pipeline \"\(pipeline)\" in \(config); it has \(loaded.pipelines.map(\.name).joined(separator: ", "))", code: 2)
            }
            chosen = match
        } else {
            guard loaded.pipelines.count == 1, let only = loaded.pipelines.first else {
                Self.fail("scimsync tail: \(config) has \(loaded.pipelines.count) pipelines; choose one with --pipeline (\(loaded.pipelines.map(\.name).joined(separator: ", ")))", code: 2)
            }
            chosen = only
        }
        guard case .mysql(let source)? = chosen.source.sql?.connection else {
            Self.fail("scimsync tail: pipeline \(chosen.name) does not read a MySQL/MariaDB binlog", code: 2)
        }
        // Replica ids 1...2^31 are the ones people configure; tail picks from above them.
        let serverID = serverId ?? UInt32.random(in: 0x8000_0000...0xFFFF_FFF0)
        // Errors end the command with their own message; reconnects are worth a warning.
        var logger = Logger(label: "scimsync.tail")
        logger.logLevel = .warning
        StandardOutput.ignoreBrokenPipeSignal()
        do {
            try await BinlogTail.run(
                source: source, serverID: serverID, range: range,
                tables: BinlogTail.tables(of: chosen.sourceLayout, database: source.database),
                maxChangesPerPart: partSize, logger: logger
            ) { lines in
                try StandardOutput.writeAll(lines)
            }
        } catch is StandardOutput.Closed {
            // The reader of the output went away (`tail | head`): nothing more to print to.
            return
        } catch {
            Self.fail("scimsync tail: \(error)", code: 1)
        }
    }

    static func fail(_ message: String, code: Int32) -> Never {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        Foundation.exit(code)
    }
}

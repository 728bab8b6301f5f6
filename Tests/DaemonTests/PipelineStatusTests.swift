import Config
import Daemon
import Directory
import Foundation
import Inspection
import OffsetStore
import Testing
import scimsync

@Suite struct PipelineStatusTests {
    @Test func linesFromTheOffsetStore() throws {
        let directory = NSTemporaryDirectory() + "scimsync-status-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let text = """
            offsets: { path: offsets.db }
            pipelines:
              - name: one
                source: { mysql: { host: h, user: u, database: d }, layout: { users: { table: u, attributes: { id: id } } } }
                target: { sqlite: { path: t.db }, layout: { users: { table: u, attributes: { id: id } } } }
              - name: two
                source: { mysql: { host: h, user: u, database: d }, layout: { users: { table: u, attributes: { id: id } } } }
                target: { sqlite: { path: t.db }, layout: { users: { table: u, attributes: { id: id } } } }
            """
        let config = try ConfigLoader.parse(text, file: "f", baseDirectory: directory, kinds: configKinds)
        let store = try OffsetStore(path: config.offsets.path)
        try store.commit(position: .binlog(file: "binlog.000003", offset: 1234, gtid: "0-1-42"), pipeline: "one")
        let run = try store.startRun(pipeline: "one")
        try store.finishRun(run, ops: ["create": 2, "addMember": 1], error: "target unreachable")

        let lines = try PipelineStatus.all(config, askSources: nil).map(\.line)
        #expect(lines.count == 2)
        #expect(lines[0].hasPrefix("one: failed, at binlog.000003:1234 (gtid 0-1-42); last run started "))
        #expect(lines[0].hasSuffix(", 3 ops; error: target unreachable"))
        #expect(lines[1] == "two: never run, no position yet (the first load has not committed)")
    }
}

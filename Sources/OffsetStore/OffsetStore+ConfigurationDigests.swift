import Foundation
import GRDB

extension OffsetStore {
    /// The digests of `pipeline`'s configuration, by part, recorded when its target last
    /// matched its source under that configuration; nil when none was recorded.
    public func configurationDigests(pipeline: String) throws(OffsetStoreError) -> [String: String]? {
        let text: String?
        do {
            text = try queue.read { db in
                try String.fetchOne(
                    db, sql: "SELECT digests FROM configuration_digests WHERE pipeline = ?", arguments: [pipeline])
            }
        } catch {
            throw .cannotRead(path: path, reason: "\(error)")
        }
        guard let text else { return nil }
        guard let digests = try? JSONDecoder().decode([String: String].self, from: Data(text.utf8)) else {
            throw .corrupt(path: path, what: "a configuration digest of pipeline \(pipeline)")
        }
        return digests
    }

    /// Records the digests of `pipeline`'s configuration, by part.
    public func setConfigurationDigests(_ digests: [String: String], pipeline: String) throws(OffsetStoreError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let text = String(decoding: (try? encoder.encode(digests)) ?? Data("{}".utf8), as: UTF8.self)
        do {
            try queue.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO configuration_digests (pipeline, digests, since)
                        VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
                        ON CONFLICT (pipeline) DO UPDATE SET digests = excluded.digests, since = excluded.since
                        """,
                    arguments: [pipeline, text])
            }
        } catch {
            throw .cannotWrite(path: path, reason: "\(error)")
        }
    }
}

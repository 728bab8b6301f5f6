import Directory
import GRDB

extension OffsetStore {
    /// The provider id a SCIM target recorded for a source resource: `.some(nil)` while its
    /// create is in flight (intent recorded, answer not yet), nil when there is no entry.
    public func scimProviderID(
        _ sourceID: String, kind: ResourceKind, pipeline: String
    ) throws(OffsetStoreError) -> String?? {
        do {
            return try queue.read { db -> String?? in
                let row = try GRDB.Row.fetchOne(
                    db, sql: "SELECT provider_id FROM scim_ids WHERE pipeline = ? AND kind = ? AND source_id = ?",
                    arguments: [pipeline, kind.rawValue, sourceID])
                guard let row else { return nil }
                return .some(row["provider_id"])
            }
        } catch {
            throw .cannotRead(path: path, reason: "\(error)")
        }
    }

    /// Records a SCIM target's provider id for a source resource; nil records only the intent
    /// to create it (an existing id is kept then).
    public func setSCIMProviderID(
        _ providerID: String?, for sourceID: String, kind: ResourceKind, pipeline: String
    ) throws(OffsetStoreError) {
        do {
            try queue.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO scim_ids (pipeline, kind, source_id, provider_id) VALUES (?, ?, ?, ?)
                        ON CONFLICT (pipeline, kind, source_id)
                          DO UPDATE SET provider_id = COALESCE(excluded.provider_id, scim_ids.provider_id)
                        """,
                    arguments: [pipeline, kind.rawValue, sourceID, providerID])
            }
        } catch {
            throw .cannotWrite(path: path, reason: "\(error)")
        }
    }

    /// Forgets a SCIM target's entry for a source resource.
    public func removeSCIMProviderID(_ sourceID: String, kind: ResourceKind, pipeline: String) throws(OffsetStoreError) {
        do {
            try queue.write { db in
                try db.execute(
                    sql: "DELETE FROM scim_ids WHERE pipeline = ? AND kind = ? AND source_id = ?",
                    arguments: [pipeline, kind.rawValue, sourceID])
            }
        } catch {
            throw .cannotWrite(path: path, reason: "\(error)")
        }
    }

    /// How many resources `pipeline`'s SCIM target has mapped, per kind (for `status`).
    public func scimProviderIDCount(kind: ResourceKind, pipeline: String) throws(OffsetStoreError) -> Int {
        do {
            return try queue.read { db in
                try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM scim_ids WHERE pipeline = ? AND kind = ? AND provider_id IS NOT NULL",
                    arguments: [pipeline, kind.rawValue]) ?? 0
            }
        } catch {
            throw .cannotRead(path: path, reason: "\(error)")
        }
    }
}

extension OffsetStore {
    /// Every id of `kind` in `pipeline`'s ledger (the resources it created in its target), in
    /// id order: a SCIM pull compares them with what the provider still has.
    public func ledgerIDs(kind: ResourceKind, pipeline: String) throws(OffsetStoreError) -> [String] {
        do {
            return try queue.read { db in
                try String.fetchAll(
                    db, sql: "SELECT id FROM ledger WHERE pipeline = ? AND kind = ? ORDER BY id",
                    arguments: [pipeline, kind.rawValue])
            }
        } catch {
            throw .cannotRead(path: path, reason: "\(error)")
        }
    }
}

extension OffsetStore {
    /// The source id `providerID` stands for in a SCIM target's map, or nil.
    public func scimSourceID(ofProvider providerID: String, kind: ResourceKind, pipeline: String) throws(OffsetStoreError)
        -> String?
    {
        do {
            return try queue.read { db in
                try String.fetchOne(
                    db, sql: "SELECT source_id FROM scim_ids WHERE pipeline = ? AND kind = ? AND provider_id = ? LIMIT 1",
                    arguments: [pipeline, kind.rawValue, providerID])
            }
        } catch {
            throw .cannotRead(path: path, reason: "\(error)")
        }
    }

    /// A SCIM target's map read backwards, provider id → source id, for one kind: how a
    /// reconciliation knows which provider resource stands for which source resource.
    public func scimSourceIDs(kind: ResourceKind, pipeline: String) throws(OffsetStoreError) -> [String: String] {
        do {
            return try queue.read { db in
                var map: [String: String] = [:]
                let rows = try GRDB.Row.fetchCursor(
                    db, sql: "SELECT source_id, provider_id FROM scim_ids WHERE pipeline = ? AND kind = ? AND provider_id IS NOT NULL",
                    arguments: [pipeline, kind.rawValue])
                while let row = try rows.next() { map[row["provider_id"]] = row["source_id"] }
                return map
            }
        } catch {
            throw .cannotRead(path: path, reason: "\(error)")
        }
    }
}

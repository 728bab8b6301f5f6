import Logging

/// A WeCom target read for reconciliation: the corp read as the WeCom source reads it
/// (``WeComDirectoryRead``: the department tree, each department's members, with the app's
/// secret), through the target's attribute map, then keyed by the source ids
/// (``ChatDirectoryReader/keyedBySourceIDs(_:derivesActive:inactiveIn:)``). A member's `active` is its
/// `status`.
enum WeComReconcileReader {
    static func read(client: WeComClient, ids: any ChatTargetIDMap, settings: WeComTargetConfig, logger: Logger) async throws
        -> ChatDirectoryReader
    {
        let layout = settings.targetLayout
        let records = WeComRecords(
            users: layout?.users.attributes ?? settings.users, groups: layout?.groups?.attributes ?? settings.groups)
        return try await WeComDirectoryRead(client: client, records: records, logger: logger).read().keyedBySourceIDs(ids)
    }
}

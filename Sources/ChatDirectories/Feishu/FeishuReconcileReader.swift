import Logging

/// A Feishu target read for reconciliation: the tenant read as the Feishu source reads it
/// (``FeishuDirectoryRead``: the department tree, each department's users page by page),
/// through the target's attribute map and `active` as not `status.is_frozen`, then keyed by
/// the source ids (``ChatDirectoryReader/keyedBySourceIDs(_:derivesActive:inactiveIn:)``).
enum FeishuReconcileReader {
    static func read(
        client: FeishuClient, ids: any ChatTargetIDMap, settings: FeishuTargetConfig, logger: Logger
    ) async throws -> ChatDirectoryReader {
        let layout = settings.targetLayout
        let records = FeishuRecords(
            users: layout?.users.attributes ?? settings.users, groups: layout?.groups?.attributes ?? settings.groups)
        let read = try await FeishuDirectoryRead(client: client, records: records, pageSize: 50, logger: logger).read()
        return try read.keyedBySourceIDs(ids)
    }
}

import Logging

/// A DingTalk target read for reconciliation: the organisation read as the DingTalk source
/// reads it (``DingTalkDirectoryRead``: the department tree level by level, each department's
/// users page by page), through the target's attribute map, then keyed by the source ids
/// (``ChatDirectoryReader/keyedBySourceIDs(_:derivesActive:inactiveIn:)``). A user in the deactivated
/// department reads as `active` false; the default and deactivated departments, like the root,
/// are no memberships.
enum DingTalkReconcileReader {
    static func read(
        client: DingTalkClient, ids: any ChatTargetIDMap, settings: DingTalkTargetConfig, logger: Logger
    ) async throws -> ChatDirectoryReader {
        let layout = settings.targetLayout
        let records = DingTalkRecords(
            users: layout?.users.attributes ?? settings.users, groups: layout?.groups?.attributes ?? settings.groups)
        let read = try await DingTalkDirectoryRead(client: client, records: records, pageSize: 100, logger: logger).read()
        return try read.keyedBySourceIDs(ids, derivesActive: true, inactiveIn: settings.deactivatedDepartment.map(String.init))
    }
}

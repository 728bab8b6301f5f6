import Directory
import Reconcile
import SQLClients

extension SourceIDTypes {
    /// Reads them from the catalog of `connection`'s database.
    public init(connection: MariaDBConnection, layout: DirectoryLayout) throws {
        func type(_ table: String, _ column: String) throws -> ColumnType {
            guard let columns = try connection.columns(ofTable: table) else {
                throw ReconcileSetupError(description: "the source has no table \(table)")
            }
            guard let found = columns.first(where: { $0.name.lowercased() == column.lowercased() }) else {
                throw ReconcileSetupError(description: "the source table \(table) has no column \(column)")
            }
            return ColumnType(sqlType: found.sqlType)
        }
        let users = try type(layout.users.table, layout.userMapper.idColumn)
        self.init(
            users: users, groups: try layout.groups.map { try type($0.table, layout.groupMapper?.idColumn ?? "id") },
            membershipUsers: try layout.membership.map { try type($0.table, $0.user) } ?? users)
    }
}

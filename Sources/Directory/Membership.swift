/// One user's membership in one group, by ids.
public struct Membership: Sendable, Hashable {
    public var groupID: String
    public var userID: String

    public init(groupID: String, userID: String) {
        self.groupID = groupID
        self.userID = userID
    }

    public var addOp: ResourceOp { .addMember(groupID: groupID, userID: userID) }
    public var removeOp: ResourceOp { .removeMember(groupID: groupID, userID: userID) }
}

extension DirectoryLayout {
    /// The membership a users row holds through its group column (`users.group`); nil when
    /// the layout has no such column or the row's group is NULL.
    public func membership(inUsersRow row: Row) throws(RowMappingError) -> Membership? {
        guard let groupColumn = users.group, let group = row[groupColumn], group != .null else { return nil }
        return Membership(
            groupID: try idText(group, column: groupColumn, table: users.table),
            // The id as the users' mapper reads it, without making a mapper for each row.
            userID: try idText(row[users.attributes.idColumn ?? "id"], column: users.attributes.idColumn ?? "id", table: users.table))
    }

    /// The membership a row of the relation table (`membership`) holds; nil when the layout
    /// has no relation table or either column is NULL.
    public func membership(inRelationRow row: Row) throws(RowMappingError) -> Membership? {
        guard let relation = membership, let user = row[relation.user], let group = row[relation.group],
            user != .null, group != .null
        else { return nil }
        return Membership(
            groupID: try idText(group, column: relation.group, table: relation.table),
            userID: try idText(user, column: relation.user, table: relation.table))
    }

    /// The parent group id a groups row holds (`groups.parent`); nil for a root group, or
    /// when the layout has no groups table or no parent column.
    public func parentID(inGroupsRow row: Row) throws(RowMappingError) -> String? {
        guard let groups, let parentColumn = groups.parent, let parent = row[parentColumn], parent != .null else {
            return nil
        }
        return try idText(parent, column: parentColumn, table: groups.table)
    }
}

extension Membership: CustomStringConvertible {
    public var description: String { "user \(userID) in group \(groupID)" }
}

import Directory
import SCIM

/// Feishu's user and department objects as SCIM resources, through the attribute maps of
/// `source.feishu.attributes`: each object is first read as a row whose columns are the
/// fields the map names (`status.is_frozen` reaches inside `status`; `!` negates a boolean),
/// then mapped like any row (``Directory/RowMapper``), so filters such as
/// `emails[type eq "work"].value` and the enterprise extension behave as for SQL sources.
///
/// Feishu answers an unset text field with `""`: that is no value, not an empty one.
struct FeishuRecords {
    let users: RowMapper
    let groups: RowMapper

    init(users: AttributeMap, groups: AttributeMap) {
        self.users = RowMapper(kind: .user, table: "Feishu users", attributes: users)
        self.groups = RowMapper(kind: .group, table: "Feishu departments", attributes: groups)
    }

    /// The row of `object` for `mapper`'s fields.
    static func row(_ object: SCIMObject, fields mapper: RowMapper) -> Row {
        var columns: [String] = []
        var values: [SQLValue] = []
        for entry in mapper.attributes.entries where !columns.contains(entry.column) {
            columns.append(entry.column)
            values.append(value(of: entry.column, in: object))
        }
        return Row(columns: columns, values: values)
    }

    /// A field (`name`, `status.is_frozen`, `!status.is_frozen`) of `object`.
    static func value(of reference: String, in object: SCIMObject) -> SQLValue {
        let negated = reference.hasPrefix("!")
        var current: SCIMValue = .object(object)
        for part in (negated ? String(reference.dropFirst()) : reference).split(separator: ".") {
            guard let next = current.objectValue?[String(part)] else { return .null }
            current = next
        }
        switch current {
        case .bool(let flag): return .bool(negated ? !flag : flag)
        case .string(let text): return text.isEmpty ? .null : .text(text)
        case .integer(let number): return .int(number)
        case .decimal(let number): return .double(number)
        case .null: return .null
        case .array, .object: return .text(String(decoding: current.jsonBytes(), as: UTF8.self))
        }
    }

    /// The id of a Feishu object: the tenant's own (`user_id`, `department_id`), or the open
    /// id where a tenant never gave one.
    static func id(_ object: SCIMObject, own: String, open: String) -> String? {
        for field in [own, open] {
            if let id = object[field]?.stringValue, !id.isEmpty { return id }
        }
        return nil
    }
}

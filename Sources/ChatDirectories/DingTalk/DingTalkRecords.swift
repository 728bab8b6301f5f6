import Directory
import SCIM

/// DingTalk's user and department objects as SCIM resources, through the attribute maps of
/// `source.dingtalk.attributes`: each object is read as a row whose columns are the fields the
/// map names (`!` negates a boolean; `listed` is true for every user), then mapped like any row (``Directory/RowMapper``).
///
/// DingTalk answers an unset text field with `""` ("fields … unset are answered empty"): that
/// is no value, not an empty one. Department ids are JSON numbers; as SCIM ids and parents
/// they are their decimal text.
struct DingTalkRecords {
    let users: RowMapper
    let groups: RowMapper

    init(users: AttributeMap, groups: AttributeMap) {
        self.users = RowMapper(kind: .user, table: "DingTalk users", attributes: users)
        self.groups = RowMapper(kind: .group, table: "DingTalk departments", attributes: groups)
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

    /// A field (`name`, `dept_id`, `!hide_mobile`) of `object`.
    static func value(of reference: String, in object: SCIMObject) -> SQLValue {
        let negated = reference.hasPrefix("!")
        let name = negated ? String(reference.dropFirst()) : reference
        if name == DingTalkFields.listed, object["userid"] != nil { return .bool(!negated) }
        guard let field = object[name] else { return .null }
        switch field {
        case .bool(let flag): return .bool(negated ? !flag : flag)
        case .string(let text): return text.isEmpty ? .null : .text(text)
        case .integer(let number): return reference == "dept_id" || reference == "parent_id" ? .text(String(number)) : .int(number)
        case .decimal(let number): return .double(number)
        case .null: return .null
        case .array, .object: return .text(String(decoding: field.jsonBytes(), as: UTF8.self))
        }
    }

    /// A department's id (a JSON number; DingTalk's documents also show it as text in places).
    /// A `userid` as its text: a string, or a number some gateways re-encode it as (the
    /// same id; only JSON's spelling differs). Nil when missing or empty.
    static func userID(_ value: SCIMValue?) -> String? {
        switch value {
        case .string(let text)? where !text.isEmpty: text
        case .integer(let number)?: String(number)
        default: nil
        }
    }

    static func departmentID(_ value: SCIMValue?) -> Int64? {
        switch value {
        case .integer(let number)?: number
        case .string(let text)?: Int64(text)
        default: nil
        }
    }
}

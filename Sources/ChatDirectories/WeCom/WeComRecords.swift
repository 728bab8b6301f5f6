import Directory
import SCIM

/// WeCom's member and department objects as SCIM resources, through the attribute maps of
/// `source.wecom.attributes`: each object is first read as a row whose columns are the fields
/// the map names, then mapped like any row (``Directory/RowMapper``).
///
/// WeCom answers an unset text field with `""`: that is no value, not an empty one. A list
/// (`department`, `direct_leader`) is kept as its JSON text.
struct WeComRecords {
    let users: RowMapper
    let groups: RowMapper

    init(users: AttributeMap, groups: AttributeMap) {
        self.users = RowMapper(kind: .user, table: "WeCom members", attributes: users)
        self.groups = RowMapper(kind: .group, table: "WeCom departments", attributes: groups)
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

    /// A field (`name`, `enabled`, `!enabled`) of `object`.
    static func value(of reference: String, in object: SCIMObject) -> SQLValue {
        if reference.hasPrefix("!") {
            guard case .bool(let flag) = value(of: String(reference.dropFirst()), in: object) else { return .null }
            return .bool(!flag)
        }
        if reference == "enabled" {
            guard case .integer(let status)? = object["status"] else { return .null }
            return .bool(status == 1 || status == 4)
        }
        switch object[reference] {
        case .bool(let flag)?: return .bool(flag)
        case .string(let text)?: return text.isEmpty ? .null : .text(text)
        case .integer(let number)?: return .int(number)
        case .decimal(let number)?: return .double(number)
        case .null?, nil: return .null
        case let value?: return .text(String(decoding: value.jsonBytes(), as: UTF8.self))
        }
    }

    /// The id of a department (a 32-bit integer) as text.
    static func departmentID(_ value: SCIMValue?) -> String? {
        switch value {
        case .integer(let number)?: String(number)
        case .string(let text)? where !text.isEmpty && text.allSatisfy({ $0.isASCII && $0.isNumber }): text
        default: nil
        }
    }
}

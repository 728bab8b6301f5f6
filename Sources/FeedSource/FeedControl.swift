import Directory
import SCIM

/// What one upload of a batch feed holds and how its records become SCIM users: the control
/// file (JSON) an HR system sends with, or configures for, its nightly export.
///
/// ```json
/// {
///   "files": [
///     { "name": "users.tsv", "format": "tsv", "separator": "\t", "charset": "windows-1252" },
///     { "name": "staff.xml", "format": "xml-elements", "record": "person" }
///   ],
///   "attributes": { "userName": "login", "name.givenName": "first", "emails[type eq \"work\"].value": "mail" },
///   "required": ["login", "mail"],
///   "membership": { "field": "groups", "by": "displayName", "separator": ";" },
///   "managedGroups": [ { "id": "g-staff", "displayName": "Staff" } ]
/// }
/// ```
///
/// Every file of an upload holds whole records: a user appears in exactly one file, and a
/// userName seen twice in an upload (compared ignoring case) is a mistake in the export. A
/// file name with `*` (`"people-*.json"`) stands for every uploaded file it matches, for
/// exports that write a file per user.
public struct FeedControl: Sendable, Hashable {
    /// The files an upload consists of, in the order they are read.
    public var files: [FeedFileSpec]
    /// Field → SCIM attribute path, in the control file's order; `userName` is always mapped.
    public var attributes: [FeedAttribute]
    /// Fields every record must have, non-empty.
    public var requiredFields: [String]
    /// The field naming a user's groups, if the feed carries memberships.
    public var membership: FeedMembershipField?
    /// The only groups the feed ever adds users to or removes them from.
    public var managedGroups: [ManagedGroup]

    public init(
        files: [FeedFileSpec], attributes: [FeedAttribute], requiredFields: [String] = [],
        membership: FeedMembershipField? = nil, managedGroups: [ManagedGroup] = []
    ) {
        self.files = files
        self.attributes = attributes
        self.requiredFields = requiredFields
        self.membership = membership
        self.managedGroups = managedGroups
    }

    /// The field mapped to `userName`.
    public var userNameField: String {
        attributes.first { $0.path.isFeedTopLevel("userName") }?.field ?? "userName"
    }

    /// The fields the control file uses (mapped, and the membership field): only these decide
    /// whether a user changed.
    public var usedFields: [String] {
        var fields: [String] = []
        for field in attributes.map(\.field) + [membership?.field].compactMap({ $0 }) where !fields.contains(field) {
            fields.append(field)
        }
        return fields
    }

    /// The spec of the file called `name`.
    public func file(named name: String) -> FeedFileSpec? {
        files.first { $0.name == name }
    }
}

/// One file of an upload, or (a name with `*`) every uploaded file whose name matches, for
/// exports that write a file per user.
public struct FeedFileSpec: Sendable, Hashable {
    /// The file's name as uploaded (no directories); `*` matches any run of characters.
    public var name: String
    public var format: FeedFormat

    public init(name: String, format: FeedFormat) {
        self.name = name
        self.format = format
    }

    /// Whether the spec names a set of files by a pattern.
    public var isPattern: Bool { name.contains("*") }

    /// Whether an uploaded file called `fileName` belongs to this spec.
    public func matches(_ fileName: String) -> Bool {
        guard isPattern else { return fileName == name }
        let parts = name.split(separator: "*", omittingEmptySubsequences: false).map(String.init)
        guard let first = parts.first, let last = parts.last, fileName.hasPrefix(first) else { return false }
        var rest = Substring(fileName.dropFirst(first.count))
        for middle in parts.dropFirst().dropLast() where !middle.isEmpty {
            guard let range = rest.range(of: middle) else { return false }
            rest = rest[range.upperBound...]
        }
        return rest.count >= last.count && rest.hasSuffix(last)
    }
}

/// How a file's records are written.
public enum FeedFormat: Sendable, Hashable {
    /// JSON (RFC 8259, so UTF-8): an array of records, or the whole file one record.
    case json(JSONShape)
    /// Tab- (or otherwise) separated values, the first line naming the fields.
    case tsv(separator: Unicode.Scalar, charset: FeedCharset)
    /// XML whose `record` elements each hold one record, a field per child element's text
    /// (a child repeated gives a list, for the membership field).
    case xmlElements(record: String)
    /// XML whose `record` elements each hold one record in their attributes.
    case xmlAttributes(record: String)

    public enum JSONShape: String, Sendable, Hashable {
        /// `[ {...}, {...} ]`.
        case array
        /// `{...}`: one record per file.
        case record
    }

    /// The control file's name of the format.
    public var name: String {
        switch self {
        case .json: "json"
        case .tsv: "tsv"
        case .xmlElements: "xml-elements"
        case .xmlAttributes: "xml-attributes"
        }
    }
}

/// One entry of the attribute map: a record field and the SCIM attribute it fills.
public struct FeedAttribute: Sendable, Hashable {
    /// The path as the control file writes it, for messages.
    public var pathText: String
    public var path: AttributePath
    public var field: String

    public init(pathText: String, path: AttributePath, field: String) {
        self.pathText = pathText
        self.path = path
        self.field = field
    }
}

/// The field that names a user's groups.
public struct FeedMembershipField: Sendable, Hashable {
    /// How the field names a group.
    public enum Naming: String, Sendable, Hashable {
        case id
        case displayName
    }

    public var field: String
    public var naming: Naming
    /// Between several groups in one text value (a list value needs none).
    public var separator: String

    public init(field: String, naming: Naming, separator: String = ";") {
        self.field = field
        self.naming = naming
        self.separator = separator
    }
}

/// A group whose membership the feed owns: users are added to it and removed from it as the
/// feed says. Groups not declared are never touched, whatever the membership field names.
public struct ManagedGroup: Sendable, Hashable {
    public var id: String
    public var displayName: String?

    public init(id: String, displayName: String? = nil) {
        self.id = id
        self.displayName = displayName
    }
}

extension AttributePath {
    /// Whether the path is the core schema's top-level attribute `name` (no value filter, no
    /// sub-attribute), however it is spelled (`userName`, or with the core URN).
    func isFeedTopLevel(_ name: String) -> Bool {
        isCore && valueFilter == nil && subAttribute == nil && attribute.caseInsensitiveEquals(name)
    }
}

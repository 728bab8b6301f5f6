import Config
import Directory
import Foundation
import SCIM

extension FeedControl {
    /// Decodes a control file's JSON text.
    ///
    /// Every mistake is reported, not just the first, each as `file: key.path: what is wrong
    /// and what to write instead` (``Config/ConfigError``), so that one edit fixes them all.
    /// - Parameter file: the control file's name as the user knows it, for messages.
    public static func decode(json: some Collection<UInt8>, file: String) throws(ConfigError) -> FeedControl {
        let root: SCIMValue
        do {
            root = try SCIMValue(json: json)
        } catch {
            throw ConfigError(file: file, issues: [ConfigIssue(keyPath: "", message: "not valid JSON: \(error)")])
        }
        let decoder = ControlDecoder()
        let control = decoder.control(ControlNode(value: root, path: .root, decoder: decoder))
        guard let control, decoder.issues.isEmpty else {
            throw ConfigError(file: file, issues: decoder.issues)
        }
        return control
    }
}

extension FeedControl {
    /// Reads and decodes the control file at `path`; messages name it as given.
    public static func load(path: String) throws(ConfigError) -> FeedControl {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(
                file: path,
                issues: [ConfigIssue(keyPath: "", message: "cannot read the file: check the path and its permissions")])
        }
        return try decode(json: [UInt8](data), file: path)
    }
}

/// Collects the issues of one control file.
private final class ControlDecoder {
    var issues: [ConfigIssue] = []

    func report(_ path: KeyPath, _ message: String) {
        issues.append(ConfigIssue(keyPath: path.description, message: message))
    }

    static let formats = ["json", "tsv", "xml-elements", "xml-attributes"]

    func control(_ node: ControlNode) -> FeedControl? {
        guard let map = node.object(allowed: ["files", "attributes", "required", "membership", "managedGroups"]) else {
            return nil
        }
        let files = map.required(
            "files", "the list of the upload's files, e.g. [{\"name\": \"users.tsv\", \"format\": \"tsv\"}]"
        ).flatMap(fileList)
        let attributes = map.required(
            "attributes", "the map from SCIM attribute paths to record fields, at least userName"
        ).flatMap(attributeMap)
        let membership = map["membership"].map(membershipField)
        let managed = map["managedGroups"].map(managedGroups) ?? []
        var required: [String] = []
        if let node = map["required"], let list = node.array() {
            for item in list {
                if let field = item.nonEmptyString() { required.append(field) }
            }
            if let attributes {
                let used = Set(attributes.map(\.field) + [(membership ?? nil)?.field].compactMap { $0 })
                for (index, field) in required.enumerated() where !used.contains(field) {
                    var message =
                        "\"\(field)\" is not a field of attributes or membership; required fields are fields the feed uses"
                    if let guess = didYouMean(field, among: Array(used).sorted()) {
                        message += " (did you mean \"\(guess)\"?)"
                    }
                    report(node.path.appending(index: index), message)
                }
            }
        }
        if let membership = membership ?? nil, let managed {
            if managed.isEmpty {
                report(
                    map.path.appending("managedGroups"),
                    "membership names groups, but no managed group is declared: list the groups the feed may change, e.g. [{\"id\": \"g1\", \"displayName\": \"Staff\"}]"
                )
            } else if membership.naming == .displayName {
                for (index, group) in managed.enumerated() where group.displayName == nil {
                    report(
                        map.path.appending("managedGroups").appending(index: index),
                        "membership names groups by displayName, so each managed group needs a \"displayName\"")
                }
            }
        }
        // `membership` is nil when the key is absent, and .some(nil) when it is present but wrong.
        guard let files, let attributes, let managed, membership != .some(nil) else { return nil }
        return FeedControl(
            files: files, attributes: attributes, requiredFields: required, membership: membership ?? nil,
            managedGroups: managed)
    }

    private func fileList(_ node: ControlNode) -> [FeedFileSpec]? {
        guard let items = node.array() else { return nil }
        if items.isEmpty { node.report("list at least one file") }
        var files: [FeedFileSpec] = []
        var ok = !items.isEmpty
        for item in items {
            guard let file = fileSpec(item) else {
                ok = false
                continue
            }
            if files.contains(where: { $0.name == file.name }) {
                item.report("\"\(file.name)\" is listed twice; each file of an upload has its own name")
                ok = false
            }
            files.append(file)
        }
        return ok ? files : nil
    }

    private func fileSpec(_ node: ControlNode) -> FeedFileSpec? {
        guard let map = node.object(allowed: ["name", "format", "shape", "separator", "charset", "record"]) else {
            return nil
        }
        let name = map.required("name", "the file's name in the upload, e.g. \"users.tsv\"")?.nonEmptyString()
        if let name, name.contains("/") || name.contains("\\") || name == "." || name == ".." {
            map["name"]?.report("a file name, without directories")
        }
        guard let formatNode = map.required("format", "one of \(Self.formats.joined(separator: ", "))"),
            let formatName = formatNode.nonEmptyString()
        else { return nil }
        guard Self.formats.contains(formatName) else {
            var message = "unknown format \"\(formatName)\""
            if let guess = didYouMean(formatName, among: Self.formats) { message += " (did you mean \"\(guess)\"?)" }
            formatNode.report(message + "; allowed: \(Self.formats.joined(separator: ", "))")
            return nil
        }
        let own: [String: [String]] = [
            "json": ["shape"], "tsv": ["separator", "charset"], "xml-elements": ["record"],
            "xml-attributes": ["record"],
        ]
        for key in ["shape", "separator", "charset", "record"]
        where map[key] != nil && !(own[formatName] ?? []).contains(key) {
            let owners = own.filter { $0.value.contains(key) }.keys.sorted().joined(separator: " and ")
            map[key]?.report("\"\(key)\" is for \(owners) files only; remove it or change the format")
        }
        let format: FeedFormat?
        switch formatName {
        case "json":
            let shapeText = map["shape"]?.nonEmptyString() ?? "array"
            if let shape = FeedFormat.JSONShape(rawValue: shapeText) {
                format = .json(shape)
            } else {
                map["shape"]?.report("\"array\" (the file is a list of records) or \"record\" (the file is one record)")
                format = nil
            }
        case "tsv":
            var separator: Unicode.Scalar? = "\t"
            if let node = map["separator"], let text = node.string() {
                if text.unicodeScalars.count == 1, let scalar = text.unicodeScalars.first, scalar != "\n",
                    scalar != "\r"
                {
                    separator = scalar
                } else {
                    node.report("one character that is not a line break, e.g. \"\\t\" or \";\"")
                    separator = nil
                }
            }
            var charset: FeedCharset? = .utf8
            if let node = map["charset"], let text = node.string() {
                charset = FeedCharset(name: text)
                if charset == nil {
                    node.report(
                        "unknown charset \"\(text)\"; allowed: \(FeedCharset.allCases.map(\.rawValue).joined(separator: ", "))"
                    )
                }
            }
            format = separator.flatMap { separator in charset.map { .tsv(separator: separator, charset: $0) } }
        default:
            let record = map.required("record", "the name of the element that holds one record, e.g. \"person\"")?
                .nonEmptyString()
            format = record.map { formatName == "xml-elements" ? .xmlElements(record: $0) : .xmlAttributes(record: $0) }
        }
        guard let name, let format else { return nil }
        return FeedFileSpec(name: name, format: format)
    }

    private func attributeMap(_ node: ControlNode) -> [FeedAttribute]? {
        guard case .object(let object) = node.value else {
            node.report("expected an object of SCIM attribute paths to field names, e.g. {\"userName\": \"login\"}")
            return nil
        }
        var attributes: [FeedAttribute] = []
        var ok = true
        for (pathText, value) in object.members {
            let child = ControlNode(value: value, path: node.path.appending(pathText), decoder: self)
            let field = child.nonEmptyString()
            let path: AttributePath?
            do {
                path = try AttributePath.parse(pathText)
            } catch {
                child.report("not a SCIM attribute path: \(error)")
                path = nil
            }
            guard let field, let path else {
                ok = false
                continue
            }
            if path.isFeedTopLevel("id") {
                child.report(
                    "the feed names users by userName and gives new users their userName as id; remove \"id\" (map the field to externalId to keep it)"
                )
                ok = false
            } else if path.isFeedTopLevel("active") {
                child.report(
                    "the feed sets active itself (users who leave the feed are blocked, users who return unblocked); remove \"active\""
                )
                ok = false
            } else if path.isCore, ["groups", "meta", "schemas"].contains(where: path.attribute.caseInsensitiveEquals) {
                child.report(
                    "\"\(path.attribute)\" is not written through the attribute map; memberships come from \"membership\""
                )
                ok = false
            }
            attributes.append(FeedAttribute(pathText: pathText, path: path, field: field))
        }
        if ok, !attributes.contains(where: { $0.path.isFeedTopLevel("userName") }) {
            node.report("no mapping for \"userName\": add \"userName\": \"<the field holding the login>\"")
            ok = false
        }
        return ok ? attributes : nil
    }

    private func membershipField(_ node: ControlNode) -> FeedMembershipField? {
        guard let map = node.object(allowed: ["field", "by", "separator"]) else { return nil }
        let field = map.required("field", "the record field that names the user's groups")?.nonEmptyString()
        var naming: FeedMembershipField.Naming? = .displayName
        if let by = map["by"], let text = by.string() {
            naming = FeedMembershipField.Naming(rawValue: text)
            if naming == nil {
                by.report("\"id\" (the field holds group ids) or \"displayName\" (it holds group names)")
            }
        }
        var separator: String? = ";"
        if let node = map["separator"], let text = node.string() {
            separator = text.isEmpty ? nil : text
            if text.isEmpty { node.report("a non-empty separator between group names, e.g. \";\"") }
        }
        guard let field, let naming, let separator else { return nil }
        return FeedMembershipField(field: field, naming: naming, separator: separator)
    }

    private func managedGroups(_ node: ControlNode) -> [ManagedGroup]? {
        guard let items = node.array() else { return nil }
        var groups: [ManagedGroup] = []
        var ok = true
        for item in items {
            guard let map = item.object(allowed: ["id", "displayName"]) else {
                ok = false
                continue
            }
            let id = map.required("id", "the group's id in the target")?.nonEmptyString()
            let displayName = map["displayName"].map { $0.nonEmptyString() }
            guard let id, displayName != .some(nil) else {
                ok = false
                continue
            }
            if groups.contains(where: { $0.id == id }) {
                item.report("group \"\(id)\" is declared twice")
                ok = false
            }
            groups.append(ManagedGroup(id: id, displayName: displayName ?? nil))
        }
        return ok ? groups : nil
    }
}

/// A JSON value with its key path in the control file.
private struct ControlNode {
    let value: SCIMValue
    let path: KeyPath
    let decoder: ControlDecoder

    func report(_ message: String) {
        decoder.report(path, message)
    }

    private var kindName: String {
        switch value {
        case .null: "null"
        case .bool: "a boolean"
        case .integer, .decimal: "a number"
        case .string: "a string"
        case .array: "a list"
        case .object: "an object"
        }
    }

    func object(allowed: [String]) -> ControlObject? {
        guard case .object(let object) = value else {
            report("expected an object with keys \(allowed.joined(separator: ", ")), found \(kindName)")
            return nil
        }
        var fields: [(String, ControlNode)] = []
        for (key, member) in object.members {
            guard allowed.contains(key) else {
                var message = "unknown key \"\(key)\""
                if let guess = didYouMean(key, among: allowed) { message += " (did you mean \"\(guess)\"?)" }
                report(message + "; allowed: \(allowed.joined(separator: ", "))")
                continue
            }
            fields.append((key, ControlNode(value: member, path: path.appending(key), decoder: decoder)))
        }
        return ControlObject(fields: fields, path: path, decoder: decoder)
    }

    func array() -> [ControlNode]? {
        guard case .array(let items) = value else {
            report("expected a list, found \(kindName)")
            return nil
        }
        return items.enumerated().map { ControlNode(value: $1, path: path.appending(index: $0), decoder: decoder) }
    }

    func string() -> String? {
        guard case .string(let text) = value else {
            report("expected a string, found \(kindName)")
            return nil
        }
        return text
    }

    func nonEmptyString() -> String? {
        guard let text = string() else { return nil }
        guard !text.isEmpty else {
            report("must not be empty")
            return nil
        }
        return text
    }
}

private struct ControlObject {
    let fields: [(String, ControlNode)]
    let path: KeyPath
    let decoder: ControlDecoder

    subscript(key: String) -> ControlNode? {
        fields.first { $0.0 == key }?.1
    }

    /// The node at `key`, or nil after reporting it missing with what it should hold.
    func required(_ key: String, _ what: String) -> ControlNode? {
        if let node = self[key] { return node }
        decoder.report(path, "missing \"\(key)\": \(what)")
        return nil
    }
}

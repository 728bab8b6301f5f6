import Config
import Directory
import SCIM

/// What the chat platforms' configuration blocks (sources and targets alike) decode the same
/// way: a secret from the environment, and attribute maps of SCIM paths to the platform's
/// fields.
enum PlatformBlock {
    /// The secret `node` holds, or nil after a report naming the key and an example variable;
    /// the message never repeats what the file wrote.
    static func secret(_ node: ConfigNode?, key: String, variable: String) -> String? {
        guard let node, let value = node.nonEmptyString() else { return nil }
        guard node.literal?.contains("${") == true else {
            node.report("give the secret through the environment, e.g. \(key): \"${\(variable)}\", not in the file")
            return nil
        }
        return value
    }

    /// `pairs` (SCIM path, platform field) as an attribute map after `id` mapped to `id` (the
    /// platform's own id field).
    static func map(_ pairs: [(String, String)], id: String) -> AttributeMap {
        AttributeMap(
            ([("id", id)] + pairs).compactMap { pair in
                (try? AttributePath.parse(pair.0)).map { AttributeMap.Entry(pathText: pair.0, path: $0, column: pair.1) }
            })
    }

    /// `attributes: { users: {...}, groups: {...} }`: each map given replaces its default in
    /// `users` or `groups`; false after a report.
    /// - Parameter decode: one map (`groups` true for the groups').
    static func attributes(
        _ node: ConfigNode?, users: inout AttributeMap, groups: inout AttributeMap,
        decode: (ConfigNode, _ groups: Bool) -> AttributeMap?
    ) -> Bool {
        guard let node else { return true }
        guard let kinds = node.mapping(allowed: ["users", "groups"]) else { return false }
        var ok = true
        if let map = kinds["users"] {
            if let decoded = decode(map, false) { users = decoded } else { ok = false }
        }
        if let map = kinds["groups"] {
            if let decoded = decode(map, true) { groups = decoded } else { ok = false }
        }
        return ok
    }

    /// `{ scimPath: platformField }`: every path a SCIM path other than `id`, every field one
    /// `problem` accepts (it returns what is wrong with a field, nil for a good one), and with
    /// `oneAttributePerField` no field written from two attributes. Nil after a report.
    /// - Parameters:
    ///   - idAdvice: why `id` cannot be mapped, e.g. "id is always DingTalk's userid".
    ///   - emptyAdvice: what to map when the block maps nothing.
    ///   - pathProblem: what is wrong with mapping a SCIM path, nil for a good one (a path the
    ///     platform writes from elsewhere).
    static func fields(
        _ node: ConfigNode, idAdvice: String, emptyAdvice: String, oneAttributePerField: Bool = false,
        pathProblem: (String) -> String? = { _ in nil }, problem: (String) -> String?
    ) -> [(String, String)]? {
        guard let fields = node.mapping(allowed: []) else { return nil }
        var pairs: [(String, String)] = []
        var ok = true
        for key in fields.keys {
            guard let fieldNode = fields[key], let field = fieldNode.nonEmptyString() else {
                ok = false
                continue
            }
            do {
                let path = try AttributePath.parse(key)
                if AttributeMap([AttributeMap.Entry(pathText: key, path: path, column: field)]).idColumn != nil {
                    fieldNode.report("\(idAdvice); remove this entry")
                    ok = false
                    continue
                }
                if let problem = pathProblem(key) {
                    fieldNode.report(problem)
                    ok = false
                    continue
                }
            } catch {
                fieldNode.report("not a SCIM attribute path: \(error)")
                ok = false
                continue
            }
            if let problem = problem(field) {
                fieldNode.report(problem)
                ok = false
                continue
            }
            if oneAttributePerField, pairs.contains(where: { $0.1 == field }) {
                fieldNode.report("\(field) is written from one SCIM attribute only; remove one of the entries")
                ok = false
                continue
            }
            pairs.append((key, field))
        }
        guard ok else { return nil }
        if pairs.isEmpty {
            fields.report(emptyAdvice)
            return nil
        }
        return pairs
    }

    /// A target's `{ scimPath: platformField }`: ``fields(_:idAdvice:emptyAdvice:oneAttributePerField:pathProblem:problem:)``
    /// with the fields the platform's creates and updates take (`allowed`), each written from
    /// one attribute, and `name` required (every platform's create requires it).
    /// - Parameters:
    ///   - platform: the platform's name in messages (`WeCom`).
    ///   - object: what the platform calls the kind in messages (`member`, `department`).
    ///   - idField: the platform's id field, which `id` always is.
    static func targetFields(
        _ node: ConfigNode, platform: String, object: String, idField: String, allowed: [String],
        pathProblem: (String) -> String? = { _ in nil }
    ) -> [(String, String)]? {
        let nameAdvice = "map a SCIM attribute to name (\(platform) requires it), e.g. displayName: name"
        guard
            let pairs = fields(
                node, idAdvice: "id is always \(platform)'s \(idField)", emptyAdvice: nameAdvice, oneAttributePerField: true,
                pathProblem: pathProblem,
                problem: { field in
                    allowed.contains(field)
                        ? nil : "not a \(platform) \(object) field scimsync writes; known: " + allowed.joined(separator: ", ")
                })
        else { return nil }
        guard pairs.contains(where: { $0.1 == "name" }) else {
            node.report(nameAdvice)
            return nil
        }
        return pairs
    }
}

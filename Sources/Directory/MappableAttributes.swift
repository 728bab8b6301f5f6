import SCIM

// Which keys an attribute map may use: attribute paths of the resource type's schemas
// (RFC 7643 §4.1 User with the §4.3 enterprise extension, §4.2 Group, and the common
// attributes of §3.1). A key that names nothing there would be mapped to no attribute at all,
// so the layout refuses it and says what to write instead.

extension ResourceKind {
    /// The resource type's schemas, core first, then its extensions (RFC 7643 §6).
    var schemaDefinitions: [SchemaDefinition] {
        switch self {
        case .user: CoreSchemas.userSchemas
        case .group: CoreSchemas.groupSchemas
        }
    }

    /// Attribute paths most maps use, for messages that have no closer guess.
    fileprivate var typicalAttributes: String {
        switch self {
        case .user:
            "userName, name.givenName, emails[type eq \"work\"].value or \(SchemaURN.enterpriseUser):employeeNumber"
        case .group: "displayName or externalId"
        }
    }

    /// How messages name the core schema and where the RFC defines it.
    fileprivate var schemaTitle: String {
        switch self {
        case .user: "the SCIM User schema (RFC 7643 §4.1)"
        case .group: "the SCIM Group schema (RFC 7643 §4.2)"
        }
    }
}

enum MappableAttributes {
    /// Why `path` cannot be a key of a `kind` attribute map, saying what to write instead;
    /// nil when it can. Names compare case-insensitively (RFC 7643 §2.1: "Attribute names are
    /// case insensitive").
    static func problem(_ path: AttributePath, text: String, kind: ResourceKind) -> String? {
        let schemas = kind.schemaDefinitions
        if let urn = path.schema, !schemas.contains(where: { $0.id.caseInsensitiveEquals(urn) }) {
            return unknownSchema(urn, path: path, kind: kind)
        }
        guard let top = CoreSchemas.topLevelDefinition(schema: path.schema, attribute: path.attribute, in: schemas) else {
            return unknownAttribute(path, text: text, kind: kind)
        }
        let attribute = qualified(path.schema, top.name)
        if top.name == "schemas" {
            return "scimsync writes \"schemas\" itself, from the schemas of the mapped attributes; remove this entry"
        }
        if isMembership(top, kind: kind) {
            return "membership is not an attribute to map: give it with \"membership\" (a relation table) or"
                + " \"users.group\" (a group column on the users table)"
        }
        if let filter = path.valueFilter {
            guard top.multiValued else {
                return "\(attribute) is single-valued; a value filter in brackets selects elements of a"
                    + " multi-valued attribute such as emails"
            }
            for (name, _) in EqualityFilter.pairs(filter) ?? [] where top.subAttribute(name) == nil {
                return noSubAttribute(name, of: top, attribute: attribute, in: "the value filter")
            }
        }
        if let sub = path.subAttribute {
            guard top.type == .complex else {
                return "\(attribute) has no sub-attributes; write \(attribute)"
            }
            if top.subAttribute(sub) == nil {
                return noSubAttribute(sub, of: top, attribute: attribute, in: nil)
            }
            return nil
        }
        guard top.type == .complex else { return nil }
        if top.multiValued, path.valueFilter != nil {
            // A filtered path without a sub-attribute stands for the element's `value`.
            if top.subAttribute("value") != nil { return nil }
            return "elements of \(attribute) have no \"value\"; name a sub-attribute, such as"
                + " \(examples(of: top, schema: path.schema).first ?? attribute)"
        }
        let such = examples(of: top, schema: path.schema).prefix(2).joined(separator: " or ")
        return top.multiValued
            ? "\(attribute) is multi-valued: map a sub-attribute of one element, such as \(such)"
            : "\(attribute) is complex: map one of its sub-attributes, such as \(such)"
    }

    /// The mappable path closest to `text`, as a key would be written, or nil when none is
    /// close enough to be a useful guess.
    ///
    /// Tried in order: a name of the schema equal to the text but for case (`givenname` is
    /// `name.givenName`, a bare `employeeNumber` its URN-qualified path), a few common column
    /// names (`email`, `phone`, `first_name`), then the nearest spelling (``didYouMean(_:among:)``),
    /// then a name the text begins (`phone` for `phoneNumbers`).
    static func suggestion(for text: String, kind: ResourceKind) -> String? {
        let candidates = self.candidates(kind)
        let aliases = candidates.flatMap { candidate in candidate.aliases.map { ($0, candidate.path) } }
        let word = text.trimmingASCIISpaces()
        if let exact = aliases.first(where: { $0.0.caseInsensitiveEquals(word) }) { return exact.1 }
        let folded = fold(word)
        if let synonym = synonyms(kind)[folded] { return synonym }
        if let near = didYouMean(word, among: aliases.map(\.0)) {
            return aliases.first { $0.0 == near }?.1
        }
        if folded.count >= 3, let prefix = aliases.first(where: { fold($0.0).hasPrefix(folded) }) {
            return prefix.1
        }
        return nil
    }

    // MARK: Messages

    private static func unknownSchema(_ urn: String, path: AttributePath, kind: ResourceKind) -> String {
        let known = kind.schemaDefinitions.map(\.id)
        var message = "\"\(urn)\" is not a schema of \(kind.rawValue) resources"
        if let guess = didYouMean(urn, among: known) {
            var fixed = path
            fixed.schema = guess
            message += " (did you mean \(fixed)?)"
        }
        return message + "; they have \(known.joined(separator: " and "))"
    }

    private static func unknownAttribute(_ path: AttributePath, text: String, kind: ResourceKind) -> String {
        let schemas = kind.schemaDefinitions
        // An extension's attribute written without its URN: RFC 7644 §3.10 lets only the core
        // schema's attributes go unqualified.
        if path.schema == nil || path.isCore {
            for schema in schemas.dropFirst() {
                guard let definition = schema.attribute(path.attribute) else { continue }
                var fixed = path
                fixed.schema = schema.id
                fixed.attribute = definition.name
                return "\(definition.name) belongs to the \(schema.name) extension: write the URN-qualified path \(fixed)"
            }
        }
        var message = "not an attribute of \(kind.schemaTitle)"
        if let guess = suggestion(for: text, kind: kind) ?? suggestion(for: path.attribute, kind: kind) {
            message += "; did you mean \(guess)?"
        } else {
            message += "; map one such as \(kind.typicalAttributes)"
        }
        return message
    }

    private static func noSubAttribute(
        _ name: String, of top: AttributeDefinition, attribute: String, in place: String?
    ) -> String {
        let names = top.subAttributes.map(\.name)
        var message = "\(attribute) has no sub-attribute \"\(name)\"" + (place.map { " (in \($0))" } ?? "")
        if let guess = didYouMean(name, among: names) {
            message += "; did you mean \"\(guess)\"?"
        } else {
            message += "; it has \(names.joined(separator: ", "))"
        }
        return message
    }

    /// `name`, prefixed with `schema` when there is one.
    private static func qualified(_ schema: String?, _ name: String) -> String {
        schema.map { "\($0):\(name)" } ?? name
    }

    /// Whether `definition` is the membership of a resource, which layouts give with
    /// `membership` or `users.group` rather than in the attribute map.
    private static func isMembership(_ definition: AttributeDefinition, kind: ResourceKind) -> Bool {
        switch kind {
        case .user: definition.name == "groups"
        case .group: definition.name == "members"
        }
    }

    // MARK: Candidates

    /// One path a map can use, as a key would be written, and the names that point at it.
    private struct Candidate {
        var path: String
        var aliases: [String]
    }

    /// Sub-attributes every element of a multi-valued attribute has: no hint of which
    /// attribute a key meant.
    private static let genericSubAttributes: Set<String> = ["value", "display", "type", "primary", "$ref"]

    /// The paths a `kind` map can use, in schema order: common attributes, then the core
    /// schema's, then the extensions' (URN-qualified). A complex attribute contributes its
    /// sub-attributes; a multi-valued one the elements its `type`'s first canonical value
    /// selects (`emails[type eq "work"].value`).
    private static func candidates(_ kind: ResourceKind) -> [Candidate] {
        let schemas = kind.schemaDefinitions
        var scopes: [(schema: String?, attributes: [AttributeDefinition])] = [
            (nil, CoreSchemas.commonAttributes), (nil, schemas.first?.attributes ?? []),
        ]
        scopes += schemas.dropFirst().map { ($0.id, $0.attributes) }
        var result: [Candidate] = []
        for (schema, attributes) in scopes {
            for top in attributes where top.name != "schemas" && !isMembership(top, kind: kind) {
                let full = qualified(schema, top.name)
                guard top.type == .complex else {
                    result.append(Candidate(path: full, aliases: [full, top.name]))
                    continue
                }
                for (index, path) in examples(of: top, schema: schema).enumerated() {
                    var aliases = [path]
                    // The attribute's own name points at its first example (`emails`).
                    if index == 0 { aliases.append(top.name) }
                    let leaf = String(path.split(separator: ".").last ?? "")
                    if !genericSubAttributes.contains(leaf) { aliases.append(leaf) }
                    result.append(Candidate(path: path, aliases: aliases))
                }
            }
        }
        return result
    }

    /// The mappable paths of a complex attribute: `name.givenName`, ...; for a multi-valued
    /// one, each sub-attribute of the element its `type`'s first canonical value selects
    /// (`emails[type eq "work"].value`), or of its one element when `type` has none
    /// (`roles.value`). `type` and `primary` are left out: a value filter sets them.
    private static func examples(of top: AttributeDefinition, schema: String?) -> [String] {
        let base = qualified(schema, top.name)
        guard top.multiValued else {
            return top.subAttributes.map { "\(base).\($0.name)" }
        }
        let element = top.subAttribute("type")?.canonicalValues.first.map { "\(base)[type eq \"\($0)\"]" } ?? base
        return top.subAttributes.filter { !["type", "primary", "$ref"].contains($0.name) }.map { "\(element).\($0.name)" }
    }

    /// Column-style names and what they usually hold, keyed by ``fold(_:)``.
    private static func synonyms(_ kind: ResourceKind) -> [String: String] {
        switch kind {
        case .user:
            let enterprise = SchemaURN.enterpriseUser
            return [
                "email": "emails[type eq \"work\"].value", "mail": "emails[type eq \"work\"].value",
                "emailaddress": "emails[type eq \"work\"].value", "workemail": "emails[type eq \"work\"].value",
                "phone": "phoneNumbers[type eq \"work\"].value", "tel": "phoneNumbers[type eq \"work\"].value",
                "telephone": "phoneNumbers[type eq \"work\"].value",
                "phonenumber": "phoneNumbers[type eq \"work\"].value",
                "mobile": "phoneNumbers[type eq \"mobile\"].value", "cell": "phoneNumbers[type eq \"mobile\"].value",
                "firstname": "name.givenName", "forename": "name.givenName",
                "lastname": "name.familyName", "surname": "name.familyName",
                "fullname": "name.formatted", "login": "userName", "username": "userName",
                "enabled": "active", "isactive": "active", "jobtitle": "title",
                "employeeid": "\(enterprise):employeeNumber", "employeeno": "\(enterprise):employeeNumber",
                "dept": "\(enterprise):department",
            ]
        case .group:
            return ["name": "displayName", "groupname": "displayName", "title": "displayName"]
        }
    }

    /// `text` lowercased without the separators column names use (`first_name`, `first-name`).
    private static func fold(_ text: String) -> String {
        String(text.lowercased().filter { $0 != "_" && $0 != "-" && $0 != " " && $0 != "." })
    }
}

import Crypto
import Directory
import Foundation
import SCIM

/// A user as one upload describes it, ready for the diff.
public struct FeedUser: Sendable {
    /// The userName as the record writes it.
    public var userName: String
    /// `userName` folded for comparison: userNames match ignoring case.
    public var key: String
    /// The SCIM user the record maps to; its `id` is the userName (the diff substitutes the
    /// id the user was created with).
    public var resource: SCIMResource {
        get { storedResource.resource ?? SCIMResource() }
        set { storedResource = StoredResource(newValue) }
    }
    var storedResource: StoredResource
    /// Ids of the managed groups the record names, sorted, without repeats.
    public var groups: [String]
    public var digest: String
    /// The record's fields as a JSON object, kept as the user's last raw record.
    public var rawJSON: String
    public var location: RecordLocation

    public init(
        userName: String, resource: SCIMResource, groups: [String], digest: String, rawJSON: String,
        location: RecordLocation
    ) {
        self.init(
            userName: userName, key: FeedUser.key(userName), storedResource: StoredResource(resource), groups: groups,
            digest: digest, rawJSON: rawJSON, location: location)
    }

    /// A user whose key is already folded: mapped from a record whose identity was worked out
    /// first, or read back from the store (folding it again for every user of every run would
    /// cost more than reading it).
    init(
        userName: String, key: String, storedResource: StoredResource, groups: [String], digest: String,
        rawJSON: String, location: RecordLocation
    ) {
        self.userName = userName
        self.key = key
        self.storedResource = storedResource
        self.groups = groups
        self.digest = digest
        self.rawJSON = rawJSON
        self.location = location
    }

    /// The comparison key of a userName: lowercased, in Unicode's composed form (NFC), so
    /// that `José` typed with a combining accent is the same user as with `é`, here and in
    /// the store's byte-wise key order alike.
    public static func key(_ userName: String) -> String {
        // ASCII text is its own composed form; Foundation's normalization, through NSString,
        // cost more than the rest of the key.
        if userName.utf8.allSatisfy({ $0 < 0x80 }) { return userName.lowercased() }
        return userName.precomposedStringWithCanonicalMapping.lowercased()
    }
}

extension FeedUser: Hashable {
    /// Resources compare by their attributes, whether parsed or still stored text.
    public static func == (a: FeedUser, b: FeedUser) -> Bool {
        a.userName == b.userName && a.key == b.key && a.groups == b.groups && a.digest == b.digest
            && a.rawJSON == b.rawJSON && a.location == b.location && a.resource == b.resource
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(key)
        hasher.combine(digest)
    }
}

/// Turns records into users under one control file: required fields, the attribute map (the
/// same conversion layouts use for columns, through ``Directory/RowMapper``) and the
/// membership field resolved against the managed groups.
public struct FeedUserMapper: Sendable {
    public let control: FeedControl
    private let mapper: RowMapper
    /// The row column that carries the id: a name no record field can have.
    private static let idColumn = "\u{0}id"
    /// What the digest of every record starts from: the control file's mapping.
    private let digestStart: SHA256
    private let usedFields: [String]

    public init(control: FeedControl) {
        self.control = control
        let entries =
            [AttributeMap.Entry(pathText: "id", path: AttributePath(attribute: "id"), column: Self.idColumn)]
            + control.attributes.map { AttributeMap.Entry(pathText: $0.pathText, path: $0.path, column: $0.field) }
        mapper = RowMapper(kind: .user, table: "feed", attributes: AttributeMap(entries))
        digestStart = RecordDigest.start(control.fingerprint)
        usedFields = RecordDigest.usedFields(control)
    }

    /// Who a record names, and its digest: what decides whether it needs mapping at all.
    public struct Identity: Sendable, Hashable {
        /// The userName, trimmed.
        public var userName: String
        /// ``FeedUser/key(_:)`` of the userName.
        public var key: String
        public var digest: String
    }

    /// The user `record` describes, or why it is skipped.
    public func user(from record: FeedRecord) -> Result<FeedUser, RecordProblem> {
        identity(of: record).flatMap { user(from: record, identity: $0) }
    }

    /// `record`'s userName, key and digest, once its required fields are there; or why it is
    /// skipped.
    public func identity(of record: FeedRecord) -> Result<Identity, RecordProblem> {
        let location = record.location
        let userNameField = control.userNameField
        for field in [userNameField] + control.requiredFields where record[field]?.isBlank ?? true {
            return .failure(RecordProblem(location: location, field: field, reason: .missingField))
        }
        guard case .text(let rawUserName) = record[userNameField] else {
            return .failure(
                RecordProblem(
                    location: location, field: userNameField, reason: .badValue("holds a list; a userName is one text"))
            )
        }
        let userName = rawUserName.trimmingBlanks()
        return .success(
            Identity(
                userName: userName, key: FeedUser.key(userName),
                digest: RecordDigest.of(record, start: digestStart, usedFields: usedFields)))
    }

    /// The user `record` describes, whose ``identity(of:)`` is `identity`; or why it is
    /// skipped.
    public func user(from record: FeedRecord, identity: Identity) -> Result<FeedUser, RecordProblem> {
        let location = record.location
        let userNameField = control.userNameField
        let userName = identity.userName
        var columns = [Self.idColumn]
        var values = [SQLValue.text(userName)]
        for attribute in control.attributes where !columns.contains(attribute.field) {
            guard let value = record[attribute.field] else { continue }
            switch value {
            case .text(let text):
                if text.isEmpty { continue }
                columns.append(attribute.field)
                values.append(.text(attribute.path.isFeedTopLevel("userName") ? userName : text))
            case .list:
                if attribute.field == control.membership?.field { continue }
                return .failure(
                    RecordProblem(
                        location: location, field: attribute.field,
                        reason: .badValue("holds a list; \(attribute.pathText) takes one value")))
            }
        }
        var resource: SCIMResource
        do {
            resource = try mapper.resource(from: Row(columns: columns, values: values))
        } catch {
            switch error {
            case .value(_, let conversion):
                // The conversion names the field as a column; the problem names it as a field.
                let text = conversion.description
                let prefix = "column \"\(conversion.column)\": "
                let why = text.hasPrefix(prefix) ? String(text.dropFirst(prefix.count)) : text
                return .failure(RecordProblem(location: location, field: conversion.column, reason: .badValue(why)))
            case .missingID:
                return .failure(RecordProblem(location: location, field: userNameField, reason: .missingField))
            }
        }
        // A user in the feed is active (blocks deactivate), so that what is written and what a
        // reconciliation compares agree on it.
        if !control.mapsActive { resource.attributes["active"] = .bool(true) }
        // Built in one pass: a record may have many fields (one per XML attribute or JSON key).
        let raw = SCIMObject(
            record.fields.lazy.map { field -> (String, SCIMValue) in
                switch field.value {
                case .text(let text): (field.name, .string(text))
                case .list(let list): (field.name, .array(list.map(SCIMValue.string)))
                }
            })
        return .success(
            FeedUser(
                userName: userName, key: identity.key, storedResource: StoredResource(resource), groups: groups(of: record),
                digest: identity.digest, rawJSON: raw.jsonString(), location: location))
    }

    /// The managed groups the membership field names; names of other groups are ignored,
    /// since only managed groups are ever changed.
    func groups(of record: FeedRecord) -> [String] {
        guard let membership = control.membership, let value = record[membership.field] else { return [] }
        let names: [Substring]
        switch value {
        case .text(let text):
            names = membership.separator.isEmpty ? [text[...]] : Self.parts(of: text, separatedBy: membership.separator)
        case .list(let list): names = list.map { $0[...] }
        }
        var ids = Set<String>()
        for name in names.map({ $0.trimmingBlanks() }) where !name.isEmpty {
            let group: ManagedGroup?
            switch membership.naming {
            case .id: group = control.managedGroups.first { $0.id == name }
            case .displayName:
                group = control.managedGroups.first { $0.displayName?.caseInsensitiveEquals(name) ?? false }
            }
            if let group { ids.insert(group.id) }
        }
        return ids.sorted()
    }

    /// The parts of `text` between `separator`s, empty ones kept, as
    /// `split(separator:omittingEmptySubsequences: false)` gives them. ASCII text cut at one
    /// ASCII byte, the usual case, is cut byte by byte: the general split searches for the
    /// separator character by character through a generic algorithm, which cost more than the
    /// rest of mapping a record. (A line break is left to it: `\r\n` is one character.)
    static func parts(of text: String, separatedBy separator: String) -> [Substring] {
        // In ASCII text every byte is a character, so the scalars' parts are the characters'.
        guard separator.utf8.count == 1, let cut = separator.utf8.first, cut < 0x80, cut != 0x0A, cut != 0x0D,
            text.utf8.allSatisfy({ $0 < 0x80 })
        else { return text.split(separator: separator, omittingEmptySubsequences: false) }
        return text.parts(betweenASCII: cut)
    }
}

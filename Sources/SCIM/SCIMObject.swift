/// A JSON object whose keys are SCIM attribute names.
///
/// RFC 7643 §2.1: "Attribute names are case insensitive". Lookups ignore case; the first
/// spelling seen is kept so that output looks like input. Key order is preserved for
/// readable output, but equality ignores it (two objects are equal when they hold the same
/// attributes, whatever the order or case of their names).
public struct SCIMObject: Sendable {
    /// Members in insertion order. Objects are small (tens of attributes), so a linear scan
    /// beats hashing here and keeps the order for free.
    public private(set) var members: [(key: String, value: SCIMValue)]

    public init() { members = [] }

    /// The members in order; a key given again (compared ignoring case) replaces the earlier
    /// value in its place, as setting it would. Linear in the number of members: small
    /// objects look for an earlier key by a scan, large ones through a set, so that an object
    /// of 100,000 members from an upload does not take 5 billion comparisons.
    public init(_ members: some Sequence<(String, SCIMValue)>) {
        self.members = []
        var positions: [CaseInsensitiveKey: Int]?
        for (k, v) in members {
            if positions == nil, self.members.count >= 16 {
                positions = Dictionary(
                    self.members.enumerated().map { (CaseInsensitiveKey($0.element.key), $0.offset) },
                    uniquingKeysWith: { first, _ in first })
            }
            if positions != nil {
                let key = CaseInsensitiveKey(k)
                if let index = positions![key] {
                    self.members[index].value = v
                } else {
                    positions![key] = self.members.count
                    self.members.append((k, v))
                }
            } else if let index = index(of: k) {
                self.members[index].value = v
            } else {
                self.members.append((k, v))
            }
        }
    }

    /// Members the caller has already checked for case-insensitive uniqueness (the JSON reader
    /// refuses duplicates), taken as they are instead of one quadratic insertion at a time.
    init(uniqueMembers: [(key: String, value: SCIMValue)]) {
        self.members = uniqueMembers
    }

    public var isEmpty: Bool { members.isEmpty }
    public var count: Int { members.count }
    public var keys: [String] { members.map(\.key) }

    /// Index of `key`, compared case-insensitively.
    public func index(of key: String) -> Int? {
        members.firstIndex { $0.key.caseInsensitiveEquals(key) }
    }

    /// The value of `key`, or nil when absent. Setting nil removes the key.
    public subscript(key: String) -> SCIMValue? {
        get { index(of: key).map { members[$0].value } }
        set {
            if let i = index(of: key) {
                if let newValue { members[i].value = newValue } else { members.remove(at: i) }
            } else if let newValue {
                members.append((key, newValue))
            }
        }
    }

    /// Runs `body` on the value of `key` in place: nil when absent, and setting nil removes
    /// the key. The key keeps its position, and the value is moved out of the object while
    /// `body` runs so that a large array inside (a group's members) is mutated without a copy.
    public mutating func modify<R, E: Error>(_ key: String, _ body: (inout SCIMValue?) throws(E) -> R) throws(E) -> R {
        guard let i = index(of: key) else {
            var value: SCIMValue? = nil
            let result = try body(&value)
            if let value { members.append((key, value)) }
            return result
        }
        var value: SCIMValue? = members[i].value
        members[i].value = .null
        let result: R
        do {
            result = try body(&value)
        } catch {
            members[i].value = value ?? .null
            throw error
        }
        if let value { members[i].value = value } else { members.remove(at: i) }
        return result
    }

    @discardableResult
    public mutating func removeValue(forKey key: String) -> SCIMValue? {
        guard let i = index(of: key) else { return nil }
        return members.remove(at: i).value
    }
}

extension SCIMObject: Equatable {
    public static func == (lhs: SCIMObject, rhs: SCIMObject) -> Bool {
        guard lhs.members.count == rhs.members.count else { return false }
        for (k, v) in lhs.members where rhs[k] != v { return false }
        return true
    }
}

extension SCIMObject: Hashable {
    public func hash(into hasher: inout Hasher) {
        // Order-independent, case-independent: combine per-member hashes commutatively.
        var acc = 0
        for (k, v) in members {
            var h = Hasher()
            h.combine(k.lowercased())
            h.combine(v)
            acc ^= h.finalize()
        }
        hasher.combine(members.count)
        hasher.combine(acc)
    }
}

extension SCIMObject: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, SCIMValue)...) { self.init(elements) }
}

extension StringProtocol {
    /// ASCII case-insensitive comparison, the comparison SCIM applies to attribute names and
    /// schema URNs (which are ASCII by RFC 7643 §2.1's ATTRNAME grammar).
    @inlinable
    public func caseInsensitiveEquals(_ other: some StringProtocol) -> Bool {
        var a = self.utf8.makeIterator()
        var b = other.utf8.makeIterator()
        while true {
            switch (a.next(), b.next()) {
            case (nil, nil): return true
            case (let x?, let y?):
                if x == y { continue }
                let lx = (x >= 65 && x <= 90) ? x | 0x20 : x
                let ly = (y >= 65 && y <= 90) ? y | 0x20 : y
                if lx != ly { return false }
            default: return false
            }
        }
    }
}

extension String {
    /// ASCII case-insensitive comparison, as `StringProtocol`'s, for two strings: the hot
    /// path of attribute lookups (SCIMObject members, schema attributes) when rows are
    /// mapped. Names of another length differ at once (UTF-8 counts are stored in native
    /// strings), and the bytes are compared without an iterator per string.
    @inlinable
    public func caseInsensitiveEquals(_ other: String) -> Bool {
        guard utf8.count == other.utf8.count else { return false }
        let compared = utf8.withContiguousStorageIfAvailable { left in
            other.utf8.withContiguousStorageIfAvailable { right in
                for index in 0..<left.count {
                    let x = left[index]
                    let y = right[index]
                    if x == y { continue }
                    let lx = (x >= 65 && x <= 90) ? x | 0x20 : x
                    let ly = (y >= 65 && y <= 90) ? y | 0x20 : y
                    if lx != ly { return false }
                }
                return true
            }
        }
        if let compared = compared ?? nil { return compared }
        // Bridged or otherwise non-contiguous strings: the general comparison.
        return self.caseInsensitiveEquals(other[...])
    }
}

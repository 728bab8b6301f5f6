import PropertyBased

@testable import SCIM

typealias RNG = any SeededRandomNumberGenerator

/// Random SCIM values and resources for the property tests. Values come from small pools so
/// that two independently generated resources share some attributes and members.
enum Generators {
    /// A pair of resources of the same type and id: the diff's source and target.
    struct Pair: Sendable, CustomStringConvertible {
        var a: SCIMResource
        var b: SCIMResource
        var description: String { "a: \(a.attributes.jsonString())\nb: \(b.attributes.jsonString())" }
    }

    static let userPair = Generator<Pair, Shrink.None<Pair>> { rng in
        let a = user(&rng)
        var b = Bool.random(using: &rng) ? user(&rng) : mix(a, user(&rng), &rng)
        b.id = a.id
        return Pair(a: a, b: b)
    }

    static let groupPair = Generator<Pair, Shrink.None<Pair>> { rng in
        let a = group(&rng)
        var b = group(&rng)
        b.id = a.id
        if Bool.random(using: &rng) {
            // Membership churn: keep some of a's members, add some, reorder.
            var members = a.members.filter { _ in Int.random(in: 0..<4, using: &rng) > 0 }
            members += b.members.filter { m in !members.contains { $0.value == m.value } }.prefix(10)
            b.members = members.shuffled(using: &rng)
        }
        return Pair(a: a, b: b)
    }

    static let jsonValue = Generator<SCIMValue, Shrink.None<SCIMValue>> { rng in value(depth: 3, &rng) }

    // MARK: Resources

    static func user(_ rng: inout RNG) -> SCIMResource {
        var r = SCIMResource()
        r.schemas = [SchemaURN.user]
        r.id = "u-\(Int.random(in: 0..<1000, using: &rng))"
        r.userName = pick(["bjensen", "mpepperidge", "jsmith", "Zoë.Ünal", "李雷"], &rng) + "@example.com"
        if chance(0.7, &rng) {
            var name = Name()
            if chance(0.5, &rng) { name.formatted = pick(["Ms. Barbara J Jensen, III", "Mandy P", "李 雷"], &rng) }
            if chance(0.8, &rng) { name.givenName = pick(givenNames, &rng) }
            if chance(0.8, &rng) { name.familyName = pick(["Jensen", "Pepperidge", "Smith", "O'Brien"], &rng) }
            if chance(0.3, &rng) { name.middleName = pick(["Jane", "Q"], &rng) }
            if chance(0.2, &rng) { name.honorificPrefix = "Ms." }
            if !name.object.isEmpty { r.name = name }
        }
        if chance(0.6, &rng) { r.displayName = pick(givenNames, &rng) + " " + pick(["J", "P", "S"], &rng) }
        if chance(0.4, &rng) { r.title = pick(["Tour Guide", "Head Guide", "Driver"], &rng) }
        if chance(0.8, &rng) { r.active = Bool.random(using: &rng) }
        let emailCount = Int.random(in: 0...3, using: &rng)
        let primary = emailCount > 0 && chance(0.6, &rng) ? Int.random(in: 0..<emailCount, using: &rng) : -1
        r.emails = (0..<emailCount).map { i in
            MultiValuedAttribute(
                value: pick(["babs", "barbara", "b.jensen", "mandy"], &rng) + "@" + pick(["example.com", "jensen.org"], &rng),
                type: pick(["work", "home", "other"], &rng), primary: i == primary ? true : nil)
        }
        if chance(0.6, &rng) {
            var ext = EnterpriseUser()
            if chance(0.6, &rng) { ext.employeeNumber = String(Int.random(in: 700_000...700_020, using: &rng)) }
            if chance(0.5, &rng) { ext.costCenter = pick(["4130", "4131"], &rng) }
            if chance(0.5, &rng) { ext.department = pick(["Tour Operations", "Park Ops", "Finance"], &rng) }
            if chance(0.3, &rng) { ext.organization = "Universal Studios" }
            if chance(0.3, &rng) { ext.division = pick(["Theme Park", "Studio"], &rng) }
            if chance(0.5, &rng) {
                var manager = EnterpriseUser.Manager(value: "m-\(Int.random(in: 0..<4, using: &rng))")
                if chance(0.4, &rng) { manager.displayName = pick(["John Smith", "Jane Doe"], &rng) }
                ext.manager = manager
            }
            if !ext.object.isEmpty { r.enterpriseUser = ext }
        }
        r.meta = Meta(resourceType: "User", version: "W/\"\(Int.random(in: 0..<100, using: &rng))\"")
        return r
    }

    static func group(_ rng: inout RNG) -> SCIMResource {
        var r = SCIMResource()
        r.schemas = [SchemaURN.group]
        r.id = "g-\(Int.random(in: 0..<1000, using: &rng))"
        r.displayName = pick(["Tour Guides", "Employees", "US Employees"], &rng)
        var pool = Array(0..<80).shuffled(using: &rng)
        pool.removeLast(80 - Int.random(in: 0...50, using: &rng))
        r.members = pool.map { i in
            var m = MultiValuedAttribute(value: "user-\(i)")
            if chance(0.5, &rng) { m.display = pick(["Babs", "Mandy"], &rng) }
            if chance(0.5, &rng) { m.type = "User" }
            if chance(0.3, &rng) { m.ref = "https://example.com/v2/Users/user-\(i)" }
            return m
        }
        r.meta = Meta(resourceType: "Group", created: "2010-01-23T04:56:22Z")
        return r
    }

    /// A resource taking each top-level attribute (and each extension attribute) from `a` or
    /// `b` at random: close to `a`, so diffs are small and varied.
    static func mix(_ a: SCIMResource, _ b: SCIMResource, _ rng: inout RNG) -> SCIMResource {
        var out = SCIMResource()
        for key in Set((a.attributes.keys + b.attributes.keys).map { $0 }) where key != SchemaURN.enterpriseUser {
            out[key] = chance(0.7, &rng) ? a[key] : b[key]
        }
        var ext = SCIMObject()
        let ea = a[SchemaURN.enterpriseUser]?.objectValue ?? SCIMObject()
        let eb = b[SchemaURN.enterpriseUser]?.objectValue ?? SCIMObject()
        for key in Set(ea.keys + eb.keys) { ext[key] = chance(0.7, &rng) ? ea[key] : eb[key] }
        out.schemas = [SchemaURN.user]
        if !ext.isEmpty { out.enterpriseUser = EnterpriseUser(ext) }
        return out
    }

    // MARK: JSON values

    static func value(depth: Int, _ rng: inout RNG) -> SCIMValue {
        switch Int.random(in: 0..<(depth > 0 ? 8 : 6), using: &rng) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &rng))
        case 2:
            let small = Int64.random(in: -1000...1000, using: &rng)
            return .integer(chance(0.5, &rng) ? small : Int64.random(in: .min ... .max, using: &rng))
        case 3:
            if chance(0.5, &rng) { return .decimal(Double(Int.random(in: -100...100, using: &rng)) / 8) }
            while true {
                let d = Double(bitPattern: UInt64.random(in: .min ... .max, using: &rng))
                if d.isFinite { return .decimal(d) }
            }
        case 4, 5: return .string(string(&rng))
        case 6: return .array((0..<Int.random(in: 0...4, using: &rng)).map { _ in value(depth: depth - 1, &rng) })
        default:
            var o = SCIMObject()
            for _ in 0..<Int.random(in: 0...4, using: &rng) { o[string(&rng)] = value(depth: depth - 1, &rng) }
            return .object(o)
        }
    }

    /// Strings exercising every escape: quotes, backslashes, slashes, control characters,
    /// DEL, two- and three-byte UTF-8, and characters outside the BMP.
    static func string(_ rng: inout RNG) -> String {
        let pieces: [String] = [
            "a", "Z", "0", " ", "\"", "\\", "/", "\u{0}", "\u{8}", "\n", "\t", "\u{1F}", "\u{7F}", "é", "中", "😀",
            "\u{2028}", "userName", "$ref",
        ]
        var s = ""
        for _ in 0..<Int.random(in: 0...8, using: &rng) { s += pick(pieces, &rng) }
        return s
    }

    // MARK: Helpers

    private static let givenNames = ["Barbara", "Babs", "Mandy", "James", "Zoë"]

    static func pick<T>(_ choices: [T], _ rng: inout RNG) -> T {
        choices[Int.random(in: 0..<choices.count, using: &rng)]
    }

    static func chance(_ p: Double, _ rng: inout RNG) -> Bool {
        Double.random(in: 0..<1, using: &rng) < p
    }
}

extension SCIMResource {
    /// The resource as the property tests compare it: without `meta`, with `schemas` and
    /// `members` in a canonical order (neither order is significant).
    var normalisedForComparison: SCIMResource {
        var r = self
        r.meta = nil
        if self["schemas"] != nil { r.schemas = schemas.sorted() }
        if self["members"] != nil {
            r["members"] = .array(members.sorted { ($0.value ?? "") < ($1.value ?? "") }.map { .object($0.object) })
        }
        return r
    }
}

import SCIM

/// Resources from RFC 7643 §8 as objects, for the filter tests: the same texts as `Fixtures`
/// (one copy of each example), read through the JSON reader.
enum RFC7643Examples {
    /// §8.3 "Enterprise User Extension Representation" (Barbara Jensen, full user plus extension).
    static let enterpriseUser: SCIMObject = {
        do { return try Fixtures.enterpriseUser().attributes } catch { fatalError("RFC 7643 §8.3 fixture: \(error)") }
    }()

    /// §8.4 Group representation ("Tour Guides").
    static let group: SCIMObject = {
        do { return try Fixtures.group().attributes } catch { fatalError("RFC 7643 §8.4 fixture: \(error)") }
    }()
}

import Directory

/// The order in which a merge-join expects ids: the order both sides' keyset reads return
/// them in, which must be the same on both sides.
///
/// Integer id columns sort numerically everywhere; text ids are read in byte order (binary
/// collation), which is also the order of their UTF-8 text.
public enum IDOrder: Sendable, Hashable {
    case numeric
    case binary

    /// The order of an id column of type `type`.
    public init(_ type: ColumnType) {
        if case .integer = type { self = .numeric } else { self = .binary }
    }

    /// Whether `a` comes strictly before `b`.
    public func precedes(_ a: String, _ b: String) -> Bool {
        compare(a, b) < 0
    }

    /// -1, 0 or 1 as `a` comes before, equals or comes after `b`.
    public func compare(_ a: String, _ b: String) -> Int {
        if self == .numeric, a != b {
            // Equal numbers written differently ("007", "7") are different ids: bytes decide.
            if let x = Int64(a), let y = Int64(b) {
                if x != y { return x < y ? -1 : 1 }
            } else if let x = UInt64(a), let y = UInt64(b) {
                if x != y { return x < y ? -1 : 1 }
            } else if Int64(a) != nil, UInt64(b) != nil {
                // A negative number against one above Int64.max.
                return -1
            } else if UInt64(a) != nil, Int64(b) != nil {
                return 1
            }
        }
        return Self.compareBytes(a, b)
    }

    /// A membership's order: by user, then by group.
    public func compare(_ a: Membership, _ b: Membership) -> Int {
        let byUser = compare(a.userID, b.userID)
        return byUser != 0 ? byUser : compare(a.groupID, b.groupID)
    }

    private static func compareBytes(_ a: String, _ b: String) -> Int {
        var left = a.utf8.makeIterator()
        var right = b.utf8.makeIterator()
        while true {
            switch (left.next(), right.next()) {
            case (nil, nil): return 0
            case (nil, _): return -1
            case (_, nil): return 1
            case (let x?, let y?): if x != y { return x < y ? -1 : 1 }
            }
        }
    }
}

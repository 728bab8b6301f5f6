/// Typed access to the Group attributes of RFC 7643 §4.2.
extension SCIMResource {
    /// `members`: elements with `value` (the member's id), `$ref`, `type` (`User` or `Group`)
    /// and `display`.
    public var members: [MultiValuedAttribute] {
        get { multiValued("members") }
        set { setMultiValued("members", newValue) }
    }

    /// The ids (`value`) of the group's members, in order.
    public var memberIDs: [String] { members.compactMap(\.value) }

    /// The ids of the members that are users, in order: those whose `type` is not `Group`
    /// (RFC 7643 §4.2: "A label indicating the type of resource, e.g., 'User' or 'Group'").
    /// A group nested in another is no user's membership.
    public var userMemberIDs: [String] {
        members.compactMap { member in
            member.type?.lowercased() == "group" ? nil : member.value
        }
    }
}

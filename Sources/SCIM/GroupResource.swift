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
}

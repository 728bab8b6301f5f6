import SCIM

/// How ``AttributeDiff`` compares the two images of an updated row without building a
/// resource for either, worked out once when the attribute map is set.
///
/// The diff is defined on resources: the attributes `mapper.lookup` finds in the row's
/// resource before and after. Building both resources for every update (an object per
/// complex attribute, an array and an object per element, the extension's object, the
/// elements' index) was most of an update's cost. For a *plain* map each attribute's value in
/// a row's resource is its own column's converted value and nothing else, so the diff can
/// convert and compare the two rows column by column:
///
/// - no two entries place a value at the same spot (a column mapped twice to one attribute,
///   `name` beside `name.givenName`, an element's sub-attribute mapped twice);
/// - no attribute takes the place of `schemas`, `id` or of an extension's object;
/// - an attribute's slot holds either plain values, or a complex attribute's sub-attributes,
///   or elements of a multi-valued attribute, never two of these;
/// - each element is found again by its own filter and by no other one: the filters are
///   `eq` comparisons joined by `and` (or one unfiltered element alone), no sub-attribute is
///   a name a filter of its attribute tests, the element a filter builds matches that
///   filter, and no other filter of the attribute matches it (asked of the same evaluator
///   that `lookup` uses).
///
/// Any other map (a rare one) has no plan, and its updates are diffed through the resources.
/// The tests compare the two ways on every kind of map and value.
struct RowDiffPlan: Sendable, Hashable {
    /// A mapped column as the diff reads it, with the path a patch of it names.
    struct Column: Sendable, Hashable {
        let name: String
        let type: AttributeDefinition.DataType
        /// The attribute's path, or for an element's sub-attribute its path through the
        /// element's filter.
        let path: AttributePath
    }

    /// An element of a multi-valued attribute.
    struct Element: Sendable, Hashable {
        /// The sub-attributes' names, in map order, as their entries spell them.
        let subs: [String]
        /// The element itself through its filter, for its removal.
        let elementPath: AttributePath
        /// The multi-valued attribute without a filter, for adding the element.
        let attributePath: AttributePath
        /// What the element holds before its sub-attributes: the filter's `eq` pairs.
        let template: SCIMObject
    }

    /// One attribute, or one element, to compare: plain integers, so that walking the steps
    /// for every update retains nothing.
    struct Step: Sendable, Hashable {
        /// The step's columns: `columns[first..<first + count]`.
        let first: Int
        let count: Int
        /// The index in `elements`, or nil for a plain attribute or a complex attribute's
        /// sub-attribute (one column).
        let element: Int?
        /// A user's `active`, which becomes a deactivation or reactivation, not a patch.
        let isActive: Bool
    }

    /// In map order, as the resource diff visits the attributes.
    let steps: [Step]
    let columns: [Column]
    let elements: [Element]

    /// The plan for a map, or nil when the map is not plain.
    init?(kind: ResourceKind, attributes: AttributeMap, entries planned: [MappingPlan.Entry]) {
        let mapped = zip(attributes.entries, planned).filter { !$0.1.isID }
        guard Self.isPlain(mapped.map(\.1.path)) else { return nil }
        var steps: [Step] = []
        var columns: [Column] = []
        var elements: [Element] = []
        var done: [ElementGroup] = []
        for (entry, plannedEntry) in mapped {
            let path = plannedEntry.path
            guard let group = ElementGroup(path) else {
                let isActive =
                    kind == .user && path.isCore && path.subAttribute == nil
                    && path.attribute.caseInsensitiveEquals("active")
                steps.append(Step(first: columns.count, count: 1, element: nil, isActive: isActive))
                columns.append(Column(name: entry.column, type: plannedEntry.type, path: path))
                continue
            }
            guard !done.contains(group) else { continue }
            done.append(group)
            let first = columns.count
            var subs: [String] = []
            for (member, plannedMember) in mapped where ElementGroup(plannedMember.path) == group {
                // isPlain saw that each of a group's entries names a sub-attribute of its own.
                guard let sub = plannedMember.path.subAttribute else { return nil }
                columns.append(Column(name: member.column, type: plannedMember.type, path: group.path(subAttribute: sub)))
                subs.append(sub)
            }
            steps.append(Step(first: first, count: subs.count, element: elements.count, isActive: false))
            elements.append(
                Element(
                    subs: subs, elementPath: group.path(subAttribute: nil),
                    attributePath: group.path(subAttribute: nil, filtered: false),
                    template: group.filter.map(EqualityFilter.template) ?? SCIMObject()))
        }
        self.steps = steps
        self.columns = columns
        self.elements = elements
    }

    /// Where a path's value lives in a resource: the top-level object (`schema` nil) or an
    /// extension's object, and the attribute's name there.
    private struct Slot {
        let schema: String?
        let attribute: String

        func isSame(as other: Slot) -> Bool {
            sameName(schema, other.schema) && attribute.caseInsensitiveEquals(other.attribute)
        }
    }

    /// Whether the (normalised, non-id) paths of a map make a plain map; see the type's comment.
    private static func isPlain(_ paths: [AttributePath]) -> Bool {
        let slots = paths.map { Slot(schema: $0.extensionSchema, attribute: $0.attribute) }
        // The top-level object also holds `schemas`, `id` and each extension's object.
        var topLevel = ["schemas", "id"]
        for slot in slots where slot.schema == nil { topLevel.append(slot.attribute) }
        for case let schema? in slots.map(\.schema) where topLevel.contains(where: { $0.caseInsensitiveEquals(schema) }) {
            return false
        }
        for slot in slots where slot.schema == nil {
            if slot.attribute.caseInsensitiveEquals("schemas") || slot.attribute.caseInsensitiveEquals("id") { return false }
        }
        var seen: [Slot] = []
        for slot in slots where !seen.contains(where: { $0.isSame(as: slot) }) {
            seen.append(slot)
            let inSlot = zip(slots, paths).filter { $0.0.isSame(as: slot) }.map(\.1)
            guard isPlainSlot(inSlot) else { return false }
        }
        return true
    }

    /// Whether the paths that share one slot keep out of each other's way.
    private static func isPlainSlot(_ paths: [AttributePath]) -> Bool {
        let groups = paths.map(ElementGroup.init)
        if groups.allSatisfy({ $0 == nil }) {
            // One plain value, or sub-attributes of one complex value, each mapped once.
            if paths.count == 1 { return true }
            let subs = paths.map(\.subAttribute)
            guard subs.allSatisfy({ $0 != nil }) else { return false }
            return hasNoRepeat(subs.compactMap { $0 })
        }
        guard groups.allSatisfy({ $0 != nil }) else { return false }
        var distinct: [ElementGroup] = []
        for case let group? in groups where !distinct.contains(group) { distinct.append(group) }
        func subs(of group: ElementGroup) -> [String?] {
            zip(groups, paths).filter { $0.0 == group }.map(\.1.subAttribute)
        }
        for group in distinct {
            let subs = subs(of: group)
            guard subs.allSatisfy({ $0 != nil }), hasNoRepeat(subs.compactMap { $0 }) else { return false }
        }
        if distinct.count == 1, distinct[0].filter == nil { return true }
        // Each element found by its own filter only.
        let definition = attributeDefinition(for: distinct[0].path(subAttribute: nil, filtered: false))
        for group in distinct {
            guard let filter = group.filter else { return false }
            let template = SCIMValue.object(EqualityFilter.template(filter))
            guard filter.matches(element: template, of: definition) else { return false }
            let subs = subs(of: group).compactMap { $0 }
            for other in distinct {
                guard let otherFilter = other.filter, let otherPairs = EqualityFilter.pairs(otherFilter) else {
                    return false
                }
                if other != group, otherFilter.matches(element: template, of: definition) { return false }
                // Two filters find disjoint elements only when they test one sub-attribute for
                // different values: `type eq "work"` and `primary eq true` both find an element
                // holding both, which the target may have.
                if other != group, let pairs = EqualityFilter.pairs(filter),
                    !pairs.contains(where: { pair in
                        otherPairs.contains { $0.name.caseInsensitiveEquals(pair.name) && $0.value != pair.value }
                    })
                {
                    return false
                }
                // A sub-attribute that a filter of the attribute tests would decide by its
                // value whether that filter finds the element.
                if subs.contains(where: { sub in otherPairs.contains { $0.name.caseInsensitiveEquals(sub) } }) {
                    return false
                }
            }
        }
        return true
    }

    private static func hasNoRepeat(_ names: [String]) -> Bool {
        for (index, name) in names.enumerated() where names[..<index].contains(where: { $0.caseInsensitiveEquals(name) }) {
            return false
        }
        return true
    }
}

import Directory

extension PipelineConfig {
    /// The layout the source's rows are read through. A SCIM source has none (it serves SCIM
    /// resources): the target's layout, which maps the same resources, stands in for it (a SQL
    /// target's tables or a chat platform's fields), so that comparisons cover the attributes
    /// the target keeps. It stands in without the group parent when the source's groups have
    /// none (a SCIM provider's), so that reconciliation does not move every group to the root.
    /// A kind whose configuration maps its records (a feed's control file) gives its own, which
    /// also says what of the target it keeps (a feed's memberships are those in its managed
    /// groups only). The configuration refuses a source without a layout with a target
    /// without one.
    public var sourceLayout: DirectoryLayout {
        if let layout = source.sql?.layout ?? source.blockLayout { return layout }
        guard var layout = target.sql?.layout ?? target.blockLayout else {
            preconditionFailure("pipeline \(name): a source and a target without a layout (the configuration refuses it)")
        }
        if !source.groupsHaveParents { layout.groups?.parent = nil }
        return layout
    }
}

extension PipelineSource {
    /// The layout a kind's own configuration gives (``KindSettings/sourceLayout``).
    public var blockLayout: DirectoryLayout? {
        if case .block(_, let settings) = self { return settings.base.sourceLayout }
        return nil
    }

    /// Whether the source's groups have parents: a SQL source's when its layout says so, a
    /// kind's when it says so (``KindSettings/sourceGroupsHaveParents``).
    public var groupsHaveParents: Bool {
        switch self {
        case .sql(let endpoint): endpoint.layout.groups?.parent != nil
        case .block(_, let settings): settings.base.sourceGroupsHaveParents
        }
    }
}

extension PipelineTarget {
    /// The layout a kind's own configuration gives (``KindSettings/targetLayout``).
    public var blockLayout: DirectoryLayout? {
        if case .block(_, let settings) = self { return settings.base.targetLayout }
        return nil
    }
}

extension PipelineConfig {
    /// The layout reconciliation compares the target through. A kind that maps the resources
    /// itself (a chat platform) gives its own (``KindSettings/targetLayout``); a SCIM target
    /// keeps what the source layout maps, as SCIM attributes, without a group parent (SCIM has
    /// none).
    public var targetLayout: DirectoryLayout {
        if let layout = target.sql?.layout ?? target.blockLayout { return layout }
        var layout = sourceLayout
        layout.groups?.parent = nil
        return layout
    }
}

import Directory

extension PipelineConfig {
    /// The layout the source's rows are read through. A SCIM source has none (it serves SCIM
    /// resources): the target's layout, which maps the same resources, stands in for it, so
    /// that comparisons cover the attributes the target keeps. A kind whose configuration maps
    /// its records (a feed's control file) gives its own, which also says what of the target
    /// it keeps (a feed compares no memberships: it owns those in its managed groups only).
    /// The configuration refuses a source without a layout with a target without one.
    public var sourceLayout: DirectoryLayout {
        if let layout = source.sql?.layout ?? source.blockLayout ?? target.sql?.layout { return layout }
        preconditionFailure("pipeline \(name): a scim source with a scim target (the configuration refuses it)")
    }
}

extension PipelineSource {
    /// The layout a kind's own configuration gives (``KindSettings/sourceLayout``).
    public var blockLayout: DirectoryLayout? {
        if case .block(_, let settings) = self { return settings.base.sourceLayout }
        return nil
    }
}

extension PipelineConfig {
    /// The layout reconciliation compares the target through. A kind that maps the resources
    /// itself (a chat platform) gives its own (``KindSettings/targetLayout``); a SCIM target
    /// keeps what the source layout maps, as SCIM attributes, without a group parent (SCIM has
    /// none).
    public var targetLayout: DirectoryLayout {
        if let layout = target.sql?.layout { return layout }
        if case .block(_, let settings) = target, let layout = settings.base.targetLayout { return layout }
        var layout = sourceLayout
        layout.groups?.parent = nil
        return layout
    }
}

import Directory

extension PipelineConfig {
    /// The layout the source's rows are read through. A SCIM source has none (it serves SCIM
    /// resources): the target's layout, which maps the same resources, stands in for it, so
    /// that comparisons cover the attributes the target keeps. The configuration refuses a
    /// SCIM source with a SCIM target, so one of the two is SQL.
    public var sourceLayout: DirectoryLayout {
        if let layout = source.sql?.layout ?? target.sql?.layout { return layout }
        preconditionFailure("pipeline \(name): a scim source with a scim target (the configuration refuses it)")
    }
}

extension PipelineConfig {
    /// The layout reconciliation compares the target through. A SCIM target keeps what the
    /// source layout maps, as SCIM attributes, without a group parent (SCIM has none).
    public var targetLayout: DirectoryLayout {
        if let layout = target.sql?.layout { return layout }
        var layout = sourceLayout
        layout.groups?.parent = nil
        return layout
    }
}

import SCIM

extension AttributeDiff {
    /// The diff of two rows of a plain map, without their resources: the same operations as
    /// ``init(mapper:old:new:)`` on the resources the rows describe (see ``RowDiffPlan``).
    init(plan: RowDiffPlan, zone: WallClockZone, before: Row, after: Row) throws(ValueConversionError) {
        let images = RowImages(before: before, after: after, zone: zone)
        for step in plan.steps {
            guard let element = step.element else {
                let column = plan.columns[step.first]
                let (was, now) = try images.values(of: column)
                guard was != now else { continue }
                if step.isActive, case .bool(let flag) = now {
                    active = flag
                } else if now.isNull {
                    operations.append(PatchOperation(op: .remove, path: column.path))
                } else {
                    operations.append(PatchOperation(op: .replace, path: column.path, value: now))
                }
                continue
            }
            try diffElement(plan.elements[element], plan.columns[step.first..<step.first + step.count], images)
        }
    }

    private mutating func diffElement(
        _ element: RowDiffPlan.Element, _ columns: ArraySlice<RowDiffPlan.Column>, _ images: RowImages
    ) throws(ValueConversionError) {
        // A first pass that keeps nothing: most updates leave the element as it was.
        var changed = false
        var wasAbsent = true
        var nowAbsent = true
        for column in columns {
            let (was, now) = try images.values(of: column)
            if was != now { changed = true }
            if !was.isNull { wasAbsent = false }
            if !now.isNull { nowAbsent = false }
        }
        guard changed else { return }
        if wasAbsent {
            var object = element.template
            for (sub, column) in zip(element.subs, columns) {
                let now = try images.values(of: column).now
                if !now.isNull { object[sub] = now }
            }
            operations.append(PatchOperation(op: .add, path: element.attributePath, value: [.object(object)]))
        } else if nowAbsent {
            operations.append(PatchOperation(op: .remove, path: element.elementPath))
        } else {
            for column in columns {
                let (was, now) = try images.values(of: column)
                guard was != now else { continue }
                operations.append(
                    now.isNull
                        ? PatchOperation(op: .remove, path: column.path)
                        : PatchOperation(op: .replace, path: column.path, value: now))
            }
        }
    }
}

/// The two images of an updated row, read column by column.
private struct RowImages {
    let before: Row
    let after: Row
    let zone: WallClockZone
    /// Whether both images have the same columns (those of one rows event do), so that a
    /// column found in one is at the same place in the other.
    let sameColumns: Bool

    init(before: Row, after: Row, zone: WallClockZone) {
        self.before = before
        self.after = after
        self.zone = zone
        sameColumns = before.columns == after.columns
    }

    /// The column's values in both images as its attribute holds them: null when an image
    /// lacks the column, as when it is NULL (either way the resource has no such attribute).
    func values(of column: RowDiffPlan.Column) throws(ValueConversionError) -> (was: SCIMValue, now: SCIMValue) {
        let index = before.index(of: column.name)
        let was = try index.map { i throws(ValueConversionError) in try convert(before.values[i], column) } ?? .null
        let afterIndex = sameColumns ? index : after.index(of: column.name)
        let now = try afterIndex.map { i throws(ValueConversionError) in try convert(after.values[i], column) } ?? .null
        return (was, now)
    }

    private func convert(_ value: SQLValue, _ column: RowDiffPlan.Column) throws(ValueConversionError) -> SCIMValue {
        try value.scimValue(as: column.type, column: column.name, zone: zone)
    }
}

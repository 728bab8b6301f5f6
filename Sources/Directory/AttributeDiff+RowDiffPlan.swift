import SCIM

extension AttributeDiff {
    /// The diff of two rows of a plain map, without their resources: the same operations as
    /// ``init(mapper:old:new:)`` on the resources the rows describe (see ``RowDiffPlan``).
    init(plan: RowDiffPlan, zone: WallClockZone, before: Row, after: Row) throws(ValueConversionError) {
        for step in plan.steps {
            switch step {
            case .attribute(let column, let path, let isActive):
                let was = try column.value(in: before, zone: zone)
                let now = try column.value(in: after, zone: zone)
                guard was != now else { continue }
                if isActive, case .bool(let flag) = now {
                    active = flag
                } else if now.isNull {
                    operations.append(PatchOperation(op: .remove, path: path))
                } else {
                    operations.append(PatchOperation(op: .replace, path: path, value: now))
                }
            case .element(let element):
                try diffElement(element, zone: zone, before: before, after: after)
            }
        }
    }

    private mutating func diffElement(
        _ element: RowDiffPlan.Element, zone: WallClockZone, before: Row, after: Row
    ) throws(ValueConversionError) {
        // A first pass that keeps nothing: most updates leave the element as it was.
        var changed = false
        var wasAbsent = true
        var nowAbsent = true
        for column in element.columns {
            let was = try column.value(in: before, zone: zone)
            let now = try column.value(in: after, zone: zone)
            if was != now { changed = true }
            if !was.isNull { wasAbsent = false }
            if !now.isNull { nowAbsent = false }
        }
        guard changed else { return }
        if wasAbsent {
            var object = element.template
            for (sub, column) in zip(element.subs, element.columns) {
                let now = try column.value(in: after, zone: zone)
                if !now.isNull { object[sub] = now }
            }
            operations.append(PatchOperation(op: .add, path: element.attributePath, value: [.object(object)]))
        } else if nowAbsent {
            operations.append(PatchOperation(op: .remove, path: element.elementPath))
        } else {
            for (path, column) in zip(element.subPaths, element.columns) {
                let was = try column.value(in: before, zone: zone)
                let now = try column.value(in: after, zone: zone)
                guard was != now else { continue }
                operations.append(
                    now.isNull ? PatchOperation(op: .remove, path: path) : PatchOperation(op: .replace, path: path, value: now))
            }
        }
    }
}

extension RowDiffPlan.Column {
    /// The column's value in `row` as its attribute holds it: null when the row lacks the
    /// column, as when it is NULL (either way the resource has no such attribute).
    func value(in row: Row, zone: WallClockZone) throws(ValueConversionError) -> SCIMValue {
        guard let sql = row[name] else { return .null }
        return try sql.scimValue(as: type, column: name, zone: zone)
    }
}

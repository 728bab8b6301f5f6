import PropertyBased
import SCIM
import Testing

/// Random filters and paths covering the grammar: URN prefixes, sub-attributes, `$ref`, names
/// that look like keywords, every operator, nested and/or/not, value paths, PATCH-style paths,
/// strings with quotes, backslashes, control characters and non-ASCII text, integers at the
/// edges, decimals from random bit patterns, booleans and null.
private enum Random {
    typealias RNG = any SeededRandomNumberGenerator

    static let names = [
        "userName", "name", "emails", "members", "value", "type", "display", "$ref", "x-y_z9", "A",
        "not", "and", "or", "pr", "eq", "true", "null", "employeeNumber", "meta", "lastModified",
    ]
    static let schemas = [
        "urn:ietf:params:scim:schemas:core:2.0:User",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
        "urn:example:params:scim:schemas:extension:acme:1.0:Thing",
        "URN:IETF:params:scim:schemas:core:2.0:Group",
    ]
    static let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    static let nameTail = Array("abcXYZ0189-_")
    static let stringPieces: [String] = [
        "a", "Z", " ", "\"", "\\", "/", "'", "\n", "\t", "\u{08}", "\u{0C}", "\r", "\u{01}", "\u{1F}", "\u{7F}",
        "é", "e\u{301}", "\u{301}", "ß", "日本", "😀", "👩‍👩‍👧", "\u{FFFF}", "\u{10FFFF}", "[", "]", "(", ")", " and ", " or ",
        "eq", "\\u0041",
    ]

    static func bool(_ rng: inout RNG, _ probability: Double = 0.5) -> Bool {
        Double.random(in: 0..<1, using: &rng) < probability
    }

    static func pick<T>(_ items: [T], _ rng: inout RNG) -> T {
        items[Int.random(in: 0..<items.count, using: &rng)]
    }

    static func name(_ rng: inout RNG) -> String {
        if bool(&rng, 0.7) { return pick(names, &rng) }
        var s = String(pick(letters, &rng))
        for _ in 0..<Int.random(in: 0...6, using: &rng) { s.append(pick(nameTail, &rng)) }
        return s
    }

    static func string(_ rng: inout RNG) -> String {
        var s = ""
        for _ in 0..<Int.random(in: 0...8, using: &rng) { s += pick(stringPieces, &rng) }
        return s
    }

    static func decimal(_ rng: inout RNG) -> Double {
        switch Int.random(in: 0..<4, using: &rng) {
        case 0:
            while true {
                let d = Double(bitPattern: UInt64.random(in: .min ... .max, using: &rng))
                if d.isFinite { return d }
            }
        case 1: return Double(Int.random(in: -1000...1000, using: &rng))
        case 2: return Double(Int.random(in: -100_000...100_000, using: &rng)) / 1000
        default: return pick([0.0, -0.0, 0.1, 1e16, 1e-7, .greatestFiniteMagnitude, .leastNonzeroMagnitude], &rng)
        }
    }

    static func value(_ rng: inout RNG) -> SCIMValue {
        switch Int.random(in: 0..<6, using: &rng) {
        case 0: return .null
        case 1: return .bool(bool(&rng))
        case 2: return .integer(pick([0, 1, -1, .max, .min, Int64.random(in: .min ... .max, using: &rng)], &rng))
        case 3: return .decimal(decimal(&rng))
        default: return .string(string(&rng))
        }
    }

    /// `[URI ":"] ATTRNAME *1subAttr`, the part before any brackets.
    static func attrPath(_ rng: inout RNG) -> AttributePath {
        AttributePath(
            schema: bool(&rng, 0.25) ? pick(schemas, &rng) : nil,
            attribute: name(&rng),
            subAttribute: bool(&rng, 0.35) ? name(&rng) : nil)
    }

    static func filter(_ rng: inout RNG, depth: Int, insideBrackets: Bool) -> Filter {
        let kind = depth <= 0 ? Int.random(in: 0..<2, using: &rng) : Int.random(in: 0..<7, using: &rng)
        switch kind {
        case 0, 1:
            var path = attrPath(&rng)
            if !insideBrackets, bool(&rng, 0.1) {
                // PATCH-style `emails[type eq "work"].value eq ...` (no sub-attribute before "[").
                path.subAttribute = bool(&rng) ? name(&rng) : nil
                path.valueFilter = filter(&rng, depth: depth - 1, insideBrackets: true)
            }
            if kind == 0 { return .present(path) }
            return .compare(path, pick(ComparisonOperator.allCases, &rng), value(&rng))
        case 2:
            return .and(
                filter(&rng, depth: depth - 1, insideBrackets: insideBrackets),
                filter(&rng, depth: depth - 1, insideBrackets: insideBrackets))
        case 3:
            return .or(
                filter(&rng, depth: depth - 1, insideBrackets: insideBrackets),
                filter(&rng, depth: depth - 1, insideBrackets: insideBrackets))
        case 4:
            return .not(filter(&rng, depth: depth - 1, insideBrackets: insideBrackets))
        default:
            if insideBrackets { return .present(attrPath(&rng)) }
            return .valuePath(attrPath(&rng), filter(&rng, depth: depth - 1, insideBrackets: true))
        }
    }

    /// `PATH = attrPath / valuePath [subAttr]`.
    static func patchPath(_ rng: inout RNG) -> AttributePath {
        let hasFilter = bool(&rng)
        return AttributePath(
            schema: bool(&rng, 0.3) ? pick(schemas, &rng) : nil,
            attribute: name(&rng),
            valueFilter: hasFilter ? filter(&rng, depth: 3, insideBrackets: true) : nil,
            subAttribute: bool(&rng, 0.5) ? name(&rng) : nil)
    }
}

private let filters = Generator<Filter, Shrink.None<Filter>>(run: { rng in
    Random.filter(&rng, depth: Int.random(in: 0...5, using: &rng), insideBrackets: false)
})

private let paths = Generator<AttributePath, Shrink.None<AttributePath>>(run: { rng in
    Random.patchPath(&rng)
})

@Test func printedFiltersParseBackToTheSameTree() async {
    await propertyCheck(count: 2000, input: filters) { filter in
        let text = filter.description
        do throws(FilterParseError) {
            let parsed = try Filter.parse(text)
            #expect(parsed == filter, "\(text)")
            #expect(parsed.description == text)
        } catch {
            Issue.record("\(text)\n\(error.caretDiagram(for: text))")
        }
    }
}

@Test func printedPathsParseBackToTheSamePath() async {
    await propertyCheck(count: 1000, input: paths) { path in
        let text = path.description
        do throws(FilterParseError) {
            let parsed = try AttributePath.parse(text)
            #expect(parsed == path, "\(text)")
            #expect(parsed.description == text)
        } catch {
            Issue.record("\(text)\n\(error.caretDiagram(for: text))")
        }
    }
}

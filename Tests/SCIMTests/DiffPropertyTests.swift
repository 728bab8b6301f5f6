import PropertyBased
import Testing

@testable import SCIM

/// `a.applying(patchOperations(from: a, to: b)) == b`, up to `meta` and the order of
/// `schemas` and `members`, for generated Users and Groups; also after a trip through the
/// PATCH request's JSON, as a SCIM target receives it.
@Suite struct DiffPropertyTests {
    private func check(_ pair: Generators.Pair) throws {
        let ops = patchOperations(from: pair.a, to: pair.b)
        let result = try pair.a.applying(ops)
        #expect(result.normalisedForComparison == pair.b.normalisedForComparison)

        let schemas = CoreSchemas.schemas(for: pair.a.attributes)
        let wire = try PatchRequest(json: PatchRequest(operations: ops).json.jsonBytes(), schemas: schemas)
        let viaWire = try pair.a.applying(wire.operations, schemas: schemas)
        #expect(viaWire.normalisedForComparison == pair.b.normalisedForComparison)

        // Nothing left to do afterwards, and nothing to do between equal resources.
        #expect(patchOperations(from: result, to: pair.b).isEmpty)
        #expect(patchOperations(from: pair.b, to: pair.b).isEmpty)
    }

    @Test func usersRoundTrip() async {
        await propertyCheck(count: 300, input: Generators.userPair) { pair throws in
            try check(pair)
        }
    }

    @Test func groupsRoundTrip() async {
        await propertyCheck(count: 300, input: Generators.groupPair) { pair throws in
            try check(pair)
            // Membership changes are expressed per member, never as a whole replace.
            let ops = patchOperations(from: pair.a, to: pair.b)
            #expect(!ops.contains { $0.op == .replace && $0.path?.attribute == "members" })
        }
    }
}

import Directory
import Foundation
import OffsetStore
import Testing

/// A SCIM target's map of provider ids, read both ways.
@Suite struct SCIMIDsTests {
    @Test func aProviderIDIsLookedUpBackwardsPerPipelineAndKind() throws {
        let path = NSTemporaryDirectory() + "scimsync-scimids-\(UUID().uuidString).db"
        defer { removeStore(at: path) }
        let store = try OffsetStore(path: path)
        try store.setSCIMProviderID("p-1", for: "u1", kind: .user, pipeline: "a")
        try store.setSCIMProviderID("p-1", for: "g1", kind: .group, pipeline: "a")
        try store.setSCIMProviderID(nil, for: "u2", kind: .user, pipeline: "a")
        #expect(try store.scimSourceID(ofProvider: "p-1", kind: .user, pipeline: "a") == "u1")
        #expect(try store.scimSourceID(ofProvider: "p-1", kind: .group, pipeline: "a") == "g1")
        #expect(try store.scimSourceID(ofProvider: "p-1", kind: .user, pipeline: "b") == nil)
        #expect(try store.scimSourceID(ofProvider: "p-2", kind: .user, pipeline: "a") == nil)
        try store.removeSCIMProviderID("u1", kind: .user, pipeline: "a")
        #expect(try store.scimSourceID(ofProvider: "p-1", kind: .user, pipeline: "a") == nil)
    }
}

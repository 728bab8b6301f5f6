import SCIMClient
import Testing

@testable import SCIMSource

/// A full pull removes what its source lacks: a read that missed resources (some without an
/// id, or fewer than the provider says it holds) must fail rather than remove them.
@Suite struct IncompleteReadTests {
    @Test func aReadThatMissedResourcesIsRefused() throws {
        #expect(throws: Never.self) { try SCIMSourceReader.complete(.users, read: 60, withoutID: 0, total: 60) }
        // More than the last page said: the directory grew while it was read.
        #expect(throws: Never.self) { try SCIMSourceReader.complete(.users, read: 61, withoutID: 0, total: 60) }
        #expect(throws: Never.self) { try SCIMSourceReader.complete(.groups, read: 3, withoutID: 0, total: nil) }
        for (read, withoutID, total, words) in [
            (55, 0, 60, "55 distinct resources read where the provider's last page says it holds 60"),
            (59, 1, 60, "1 resources have no id"),
        ] {
            do {
                try SCIMSourceReader.complete(.users, read: read, withoutID: withoutID, total: total)
                Issue.record("\(read) of \(total) was taken as complete")
            } catch {
                guard case .invalidResponse(let request, let reason) = error else {
                    Issue.record("\(error)")
                    continue
                }
                #expect(request == "GET /Users")
                #expect(reason.contains(words) && reason.contains("nothing of it is applied"), "\(reason)")
            }
        }
    }
}

import Logging
import OffsetStore
import ServiceLifecycle

/// Stops `scimsync run` when its offset store's file is deleted or replaced while it runs
/// (``OffsetStore/isAtItsPath``): the positions and the ledger it goes on writing would die
/// with the process. Its failure shuts the other services down gracefully (the batches in
/// flight commit, into the open store), and `run` then writes the store back to its path
/// (``OffsetStore/writeBack(now:)``) and exits 1, for a supervisor to start it again from
/// where it was.
struct OffsetStoreWatch: Service {
    let store: OffsetStore
    let logger: Logger
    /// How often the path is looked at: a `stat(2)`, cheap; what a pipeline commits in between
    /// is written back with the rest.
    var every: Duration = .seconds(2)

    /// The error that ends the watch, and with it the service group.
    struct StoreGone: Error, CustomStringConvertible {
        let path: String
        var description: String {
            "the offset store \(path) was deleted or replaced while scimsync ran"
        }
    }

    func run() async throws {
        while true {
            do {
                try await cancelWhenGracefulShutdown { [every] in try await Task.sleep(for: every) }
            } catch {
                return
            }
            guard store.isAtItsPath else {
                let gone = StoreGone(path: store.path)
                logger.critical("\(gone); stopping, to write it back from the open file")
                throw gone
            }
        }
    }
}

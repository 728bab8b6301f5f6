import Foundation
import Logging
import OffsetStore
import PipelineCore
import Testing

@testable import Daemon

/// What the daemon counts and reports of a pipeline's state changes.
@Suite struct DaemonObserverTests {
    /// A pause (a refused pass or batch) is an error in `scimsync_errors_total`, as a failed
    /// attempt is.
    @Test func aPauseCountsAsAnError() throws {
        let path = NSTemporaryDirectory() + "scimsync-observer-\(UUID().uuidString).db"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let metrics = DaemonMetrics()
        let observer = DaemonObserver(
            name: "p", states: PipelineStates(pipelines: ["p"]), metrics: metrics.pipeline("p"),
            logger: Logger(label: "test"), store: try OffsetStore(path: path))
        observer.stateChanged(from: .streaming, to: .paused(.removals("too many")))
        let text = String(decoding: metrics.registry.emitToBuffer(), as: UTF8.self)
        #expect(text.contains(#"scimsync_errors_total{pipeline="p"} 1"#), "\(text)")
    }
}

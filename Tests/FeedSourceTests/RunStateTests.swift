import Testing

@testable import FeedSource

@Suite struct RunStateTests {
    @Test func theLegalPathsThroughARun() throws {
        #expect(try FeedRunState.uploading.after(.uploaded) == .ready)
        #expect(try FeedRunState.ready.after(.start) == .running)
        #expect(try FeedRunState.running.after(.finish) == .complete)
        #expect(try FeedRunState.running.after(.fail) == .failure)
        #expect(try FeedRunState.uploading.after(.cancel) == .cancelled)
        #expect(try FeedRunState.ready.after(.cancel) == .cancelled)
        #expect(try FeedRunState.uploading.after(.fail) == .failure)
    }

    @Test func everyOtherTransitionIsATypedError() {
        let legal: Set<String> = [
            "uploading.uploaded", "uploading.cancel", "uploading.fail", "ready.start", "ready.cancel", "ready.fail",
            "running.finish", "running.fail",
        ]
        for state in FeedRunState.allCases {
            for event in FeedRunEvent.allCases where !legal.contains("\(state.rawValue).\(event.rawValue)") {
                #expect(throws: IllegalRunTransition(state: state, event: event)) { try state.after(event) }
            }
        }
    }

    @Test func theErrorSaysWhatTheStateAllows() {
        let error = IllegalRunTransition(run: 7, state: .running, event: .cancel)
        #expect(error.description == "run 7 is running and cannot be cancelled; a running run can finish, fail")
        #expect(
            IllegalRunTransition(state: .complete, event: .start).description
                == "a run is complete and cannot start; a complete run is final")
        #expect(
            IllegalRunTransition(run: 3, state: .failure, event: .uploaded).description
                == "run 3 has failed and cannot take more files; a failed run is final")
        #expect(
            IllegalRunTransition(run: 4, state: .ready, event: .uploaded).description
                == "run 4 is ready and cannot take more files; a ready run can start, be cancelled, fail")
    }
}

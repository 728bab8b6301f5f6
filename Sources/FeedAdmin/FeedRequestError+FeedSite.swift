import FeedSource

extension FeedRequestError {
    /// A feed's error as an answer: a missing run or file is 404, a step the run's state does
    /// not allow (or a run still open) is 409, a bad name 400; what fails on the server's side
    /// is 500 and says what.
    public init(_ error: FeedSiteError) {
        switch error {
        case .store(let store):
            switch store {
            case .noSuchRun: self.init(.notFound, store.description)
            case .runInProgress, .illegal, .held, .notFullyApplied: self.init(.conflict, store.description)
            case .cannotOpen, .database: self.init(.internalServerError, store.description)
            }
        case .badName(let name): self.init(.badRequest, name.description)
        case .noSuchFile: self.init(.notFound, error.description)
        case .busy: self.init(.conflict, error.description)
        case .cannotWrite:
            // The path and the system's reason are the server log's, not the client's.
            self.init(.insufficientStorage, "the server could not store the uploaded file; its log says why")
        case .cannotCreate, .cannotRead, .ingest: self.init(.internalServerError, error.description)
        }
    }
}

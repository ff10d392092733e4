import Foundation

/// The corpus as the rest of the program uses it, beyond the exchange log's writer:
/// looking up and listing exchanges, held-out splits, and one store per role. SQLite
/// now (``SQLiteCorpus``); another database (PostgreSQL) later implements the same roles.
///
/// An implementation must guarantee, for every role:
/// - each mutating method is atomic: it commits entirely or (when it throws) not at all;
/// - a read sees every change committed before it began, including exchanges the log
///   has committed, on this and any other connection;
/// - orderings are the ones each method documents (they are part of the contract: the
///   gateway pages, polls and compares by them);
/// - malformed stored data makes a read throw, never silently read as a default.
///
/// Errors: ``CorpusError`` for what the caller can act on (bad input, a missing target);
/// anything else is a storage failure.
public protocol CorpusStorage: ExchangeQuerying, HeldOutStorage {
    /// Progressive serving's states, events and evidence.
    var serving: any ServingStorage { get }
    /// Training runs, their metrics and the student registry.
    var training: any TrainingStorage { get }
    /// Feedback and the preference pairs it implies.
    var feedback: any FeedbackStorage { get }
    /// What training learns from, with `curation` choosing the exchanges.
    func trainingData(curation: CurationFilter) -> any TrainingDataSource
}

/// Looking up, listing, searching and counting logged exchanges.
public protocol ExchangeQuerying: Sendable {
    /// The exchange with `id`, or nil.
    func exchange(id: String) throws -> ExchangeRecord?
    /// The exchange whose chat completion id is `completionID` (the newest if several), or nil.
    func exchange(completionID: String) throws -> ExchangeRecord?
    /// Number of logged exchanges.
    func exchangeCount() throws -> Int
    /// One page of exchanges matching `filter`, newest (last logged) first. Pages are keyed by
    /// ``ExchangeFilter/before``: a page's content does not depend on exchanges logged after it.
    ///
    /// - Throws: ``CorpusError/invalidSearch(_:)`` for a search text the backend cannot parse,
    ///   ``CorpusError/invalid(_:parameter:)`` for a bad limit or an unknown `before` id.
    func list(_ filter: ExchangeFilter) throws -> ExchangePage
    /// Counts by route, status, server and rating; token sums; latency percentiles.
    func stats() throws -> CorpusStats
    /// The exchange with `id` (or with that completion id), its feedback oldest first and the
    /// ids of up to 20 other exchanges with the same prompt, newest first; nil if there is none.
    func detail(id: String) throws -> ExchangeDetail?
}

/// Frozen held-out splits: numbered versions whose rows never change once frozen.
public protocol HeldOutStorage: Sendable {
    /// Freezes the held-out rows `filter` selects now as the next version (1, 2, ...), atomically:
    /// the version and all its rows appear together or not at all.
    func freezeHeldOut(filter: CurationFilter, testPercent: Double) throws -> HeldOutVersion
    /// The highest-numbered frozen version, or nil.
    func latestHeldOut() throws -> HeldOutVersion?
}

/// The receipt of ``FeedbackStorage/record(_:now:)``.
public typealias FeedbackReceipt = FeedbackStore.Receipt

/// Feedback about exchanges and the preference pairs it implies.
public protocol FeedbackStorage: Sendable {
    /// Validates `submission` against the corpus and stores it with its pairs, in one
    /// transaction. A submission whose idempotency key was seen returns the first receipt
    /// (`replayed`) and writes nothing.
    ///
    /// - Throws: ``CorpusError/notFound(_:parameter:)`` for an unknown exchange (nothing is
    ///   written), ``CorpusError/promptMismatch(_:)``, ``CorpusError/unprocessable(_:parameter:)``.
    func record(_ submission: FeedbackSubmission, now: Date) throws -> FeedbackReceipt
    /// Every feedback row about exchange `id` (as the chosen or rejected side too), oldest first.
    func feedback(forExchange id: String) throws -> [FeedbackRow]
}

extension SQLiteCorpus: CorpusStorage {
    /// A ``ServingStore`` over this connection.
    public var serving: any ServingStorage { ServingStore(reader: self) }
    /// A ``TrainingStore`` over this connection.
    public var training: any TrainingStorage { TrainingStore(reader: self) }
    /// A ``FeedbackStore`` over this connection.
    public var feedback: any FeedbackStorage { FeedbackStore(reader: self) }

    /// A ``TrainingDataReader`` over this connection.
    public func trainingData(curation: CurationFilter) -> any TrainingDataSource {
        TrainingDataReader(reader: self, curation: curation)
    }
}

extension FeedbackStore: FeedbackStorage {}

import ChatAPI
import Corpus
import Engine
import Foundation
import Serving
import Training

/// The encoded examples a run trains on, written to its directory when it starts so that
/// a resumed run (after a crash, with more exchanges logged since) continues on exactly
/// the same data, in the same order.
struct FrozenDataset: Codable {
    /// One training sequence with its provenance.
    struct Sequence: Codable {
        /// The example's provenance (exchange or pair id).
        var id: String
        /// (T) input ids.
        var tokens: [Int32]
        /// (T) next-token targets, `CrossEntropy.ignored` on the prompt.
        var targets: [Int32]
        /// The teacher's distributions at aligned answer positions (logprob distillation).
        var teacher: [SparseTeacherTarget]?

        /// As the trainer takes it.
        var training: TrainingSequence { TrainingSequence(tokens: tokens, targets: targets, teacher: teacher ?? []) }
    }

    /// One preference pair; `reference` holds the cached reference log-probs once computed.
    struct Pair: Codable {
        /// The preference pair's id.
        var id: String
        /// The preferred answer's sequence.
        var chosen: Sequence
        /// The dispreferred answer's sequence.
        var rejected: Sequence
        /// log π_ref of both answers, once computed.
        var reference: ReferenceLogProbs?
        /// The pair's weight by its provenance (nil in datasets frozen before weights: 1).
        var weight: Float?

        /// As the DPO trainer takes it.
        var preference: PreferencePair {
            PreferencePair(chosen: chosen.training, rejected: rejected.training, weight: weight ?? 1)
        }
    }

    /// SFT sequences trained on (empty for DPO).
    var sequences: [Sequence] = []
    /// SFT sequences held back to choose the epoch count on (nil: the run's epochs are fixed).
    var validation: [Sequence]?
    /// DPO pairs (empty for SFT).
    var pairs: [Pair] = []
    /// The data snapshot stored in the run row.
    var snapshot: String

    /// Token count of each example, for batching (a pair counts both sequences).
    var lengths: [Int] {
        sequences.isEmpty ? pairs.map { $0.chosen.tokens.count + $0.rejected.tokens.count } : sequences.map(\.tokens.count)
    }

    /// Reads the corpus's train split and encodes it with the student's template; with a
    /// `validationPercent`, that share of the SFT sequences (by a stable hash of the prompt)
    /// is held back for validation, if it leaves at least four on each side.
    /// A DPO pair weighs `settings.weight(ofSource:)` of its provenance; a source of weight 0
    /// is left out. The snapshot counts the pairs used by source (`pair_sources`).
    static func build(settings: TrainingSettings, reader: SQLiteCorpus, encoder: SequenceEncoder) throws -> FrozenDataset {
        let kind = settings.kind, validationPercent = settings.validatesEpochs ? settings.validationPercent : nil
        let data = TrainingDataReader(reader: reader)
        let heldOut = try data.heldOutVersion()
        let eligible = try data.eligibleCounts()
        var dataset = FrozenDataset(snapshot: "")
        var available = 0, skipped: [SkipReason: Int] = [:], curationRemoved: [String: Int] = [:]
        var pairSources: [String: Int] = [:], distillation = JSONValue.null
        if kind == .dpo {
            let pairs = try data.preferencePairs()
            available = pairs.count
            let weighted = pairs.filter { settings.weight(ofSource: $0.source) > 0 }
            let sources = Dictionary(weighted.map { (String($0.pairID), $0.source) }, uniquingKeysWith: { first, _ in first })
            let examples = weighted.map { pair in
                PreferenceExample(id: String(pair.pairID), messages: pair.conversation.chatMessages,
                                  chosen: pair.conversation.completion, rejected: pair.rejected)
            }
            let encoded = encoder.encodeAll(examples)
            skipped = encoded.skipped
            dataset.pairs = encoded.pairs.map {
                let source = sources[$0.id] ?? ""
                pairSources[source, default: 0] += 1
                return Pair(id: $0.id, chosen: Sequence(id: $0.id, tokens: $0.chosen.tokens, targets: $0.chosen.targets),
                            rejected: Sequence(id: $0.id, tokens: $0.rejected.tokens, targets: $0.rejected.targets),
                            weight: settings.weight(ofSource: source))
            }
        } else {
            let (conversations, removed) = try data.curatedSFTExamples()
            curationRemoved = removed
            available = conversations.count
            let examples = conversations.map {
                SFTExample(id: $0.exchangeID, messages: $0.chatMessages, completion: $0.completion,
                           teacherLogprobs: kind == .sft && settings.kdWeight > 0 ? $0.teacherLogprobs : nil)
            }
            let encoded = encoder.encodeAll(examples)
            skipped = encoded.skipped
            dataset.sequences = encoded.examples.map {
                Sequence(id: $0.id, tokens: $0.sequence.tokens, targets: $0.sequence.targets,
                         teacher: $0.sequence.teacher.isEmpty ? nil : $0.sequence.teacher)
            }
            let distilled = dataset.sequences.compactMap(\.teacher)
            distillation = .object([("examples", .int(distilled.count)),
                                    ("positions", .int(distilled.reduce(0) { $0 + $1.count })),
                                    ("answer_tokens", .int(dataset.sequences.filter { $0.teacher != nil }
                                        .reduce(0) { $0 + CrossEntropy.maskedInCount($1.targets) }))])
            if let validationPercent { dataset.holdBackValidation(percent: validationPercent) }
        }
        let ids = dataset.sequences.isEmpty ? dataset.pairs.map(\.id)
            : (dataset.sequences + (dataset.validation ?? [])).map(\.id)
        dataset.snapshot = TrainingDataSnapshot(heldOutVersion: heldOut.version, available: available, usedIDs: ids,
                                                eligibleExchanges: eligible.exchanges, eligiblePairs: eligible.pairs)
            .json.setting("skipped", to: counts(Dictionary(uniqueKeysWithValues: skipped.map { ($0.key.rawValue, $0.value) })))
            .setting("validation_examples", to: dataset.validation.map { .int($0.count) } ?? .null)
            .setting("curation_removed", to: counts(curationRemoved))
            .setting("pair_sources", to: kind == .dpo ? counts(pairSources) : .null)
            .setting("logprob_distillation", to: distillation)
            .jsonString
        return dataset
    }

    /// A JSON object of counts, keys sorted.
    private static func counts(_ counts: [String: Int]) -> JSONValue {
        .object(counts.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.int($0.value)) })
    }

    /// Moves `percent` of the sequences to `validation` (none when either side would keep
    /// fewer than four), chosen by a stable hash of the prompt's tokens: the same corpus
    /// always gives the same slice, and one prompt logged twice never sits on both sides.
    private mutating func holdBackValidation(percent: Double) {
        let held = sequences.map { sequence in
            let prompt = sequence.tokens.prefix((sequence.targets.firstIndex { $0 != CrossEntropy.ignored } ?? -1) + 1)
            return Double(StableHash.fnv1a64Mixed(prompt.map(String.init).joined(separator: ",")) % 10_000) < percent * 100
        }
        let validation = zip(sequences, held).filter(\.1).map(\.0)
        guard validation.count >= 4, sequences.count - validation.count >= 4 else { return }
        self.validation = validation
        sequences = zip(sequences, held).filter { !$0.1 }.map(\.0)
    }

    /// Writes the dataset to `path` atomically.
    func write(to path: String) throws {
        try AtomicFile.write(path, bytes: Array(try JSONEncoder().encode(self)))
    }

    /// Reads a dataset written by `write(to:)`.
    static func read(_ path: String) throws -> FrozenDataset {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TrainingRunError("the run's frozen dataset \(path) is missing; it cannot resume")
        }
        return try JSONDecoder().decode(FrozenDataset.self, from: data)
    }
}

extension TrainingConversation {
    /// The prompt as the engine's chat messages.
    var chatMessages: [Engine.ChatMessage] { messages.map { Engine.ChatMessage(role: $0.role, content: $0.content) } }
}

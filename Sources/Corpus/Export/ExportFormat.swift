/// The JSONL formats `retort corpus export` and `GET /admin/export` write.
public enum ExportFormat: String, Sendable, CaseIterable {
    /// OpenAI chat fine-tuning: `{"messages":[...], "tools":[...]}`.
    case openAISFT = "openai-sft"
    /// OpenAI preference fine-tuning: `{"input":{"messages":[...]}, "preferred_output":[...], "non_preferred_output":[...]}`.
    case openAIDPO = "openai-dpo"
    /// TRL conversational prompt-completion: `{"prompt":[...], "completion":[...]}`.
    case trlSFT = "trl-sft"
    /// TRL conversational preference: `{"prompt":[...], "chosen":[...], "rejected":[...]}`.
    case trlDPO = "trl-dpo"
    /// The log as it is: `{"input": request, "output": response, "tags": {...}}`.
    case raw

    /// Whether rows come from preference pairs rather than single exchanges.
    public var readsPairs: Bool { self == .openAIDPO || self == .trlDPO }
}

/// What to export.
public struct ExportRequest: Sendable, Equatable {
    /// The line format.
    public var format: ExportFormat
    /// Train or held-out rows; nil for every curated row.
    public var split: DatasetSplit?
    /// The held-out version for `split == .test`; nil for the latest (frozen now if none exists).
    public var heldOutVersion: Int?
    /// Which exchanges qualify (for pair formats only ``CurationFilter/routes`` applies).
    public var curation: CurationFilter
    /// Stop after this many lines.
    public var limit: Int?

    /// A request; `curation` defaults to ``CurationFilter/everything`` for `raw` and to
    /// the default curation otherwise.
    public init(format: ExportFormat, split: DatasetSplit? = nil, heldOutVersion: Int? = nil,
                curation: CurationFilter? = nil, limit: Int? = nil) {
        self.format = format
        self.split = split
        self.heldOutVersion = heldOutVersion
        self.curation = curation ?? (format == .raw ? .everything : CurationFilter())
        self.limit = limit
    }
}

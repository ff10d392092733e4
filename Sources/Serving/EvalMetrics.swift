import ChatAPI

/// A candidate student's scores on the frozen held-out split, the input of ``QualityGate``.
public struct EvalMetrics: Sendable, Hashable, Codable {
    /// Rows scored.
    public var sampleCount: Int
    /// Share of rows whose answer equals the teacher's after normalization, 0…1.
    public var exactMatch: Double
    /// Mean token-level F1 against the teacher's answers, 0…1.
    public var tokenF1: Double
    /// Rows that asked for JSON.
    public var jsonSampleCount: Int
    /// Share of the JSON rows the student answered with valid JSON; nil when there were none.
    public var jsonValidity: Double?
    /// The teacher's JSON validity on the same rows, when known, to detect a regression.
    public var teacherJSONValidity: Double?
    /// Pairwise judgments against the teacher, when the judge ran.
    public var judged: JudgedOutcomes?

    /// Creates metrics.
    public init(
        sampleCount: Int, exactMatch: Double, tokenF1: Double, jsonSampleCount: Int = 0,
        jsonValidity: Double? = nil, teacherJSONValidity: Double? = nil, judged: JudgedOutcomes? = nil
    ) {
        self.sampleCount = sampleCount
        self.exactMatch = exactMatch
        self.tokenF1 = tokenF1
        self.jsonSampleCount = jsonSampleCount
        self.jsonValidity = jsonValidity
        self.teacherJSONValidity = teacherJSONValidity
        self.judged = judged
    }
}

/// Builds ``EvalMetrics`` one held-out row at a time.
public struct EvalAccumulator: Sendable, Hashable {
    private var rows = 0
    private var exactMatches = 0
    private var f1Sum = 0.0
    private var jsonRows = 0
    private var studentValidJSON = 0
    private var teacherValidJSON = 0
    private var judged = JudgedOutcomes()

    /// Nothing scored yet.
    public init() {}

    /// Scores one row: the student's answer against the teacher's; JSON validity of both
    /// when the row asked for JSON; the judge's verdict when it ran.
    public mutating func add(student: String, teacher: String, wantsJSON: Bool = false, judgment: Judgment? = nil) {
        rows += 1
        if TextScoring.exactMatch(student, teacher) { exactMatches += 1 }
        f1Sum += TextScoring.tokenF1(student, teacher)
        if wantsJSON {
            jsonRows += 1
            if JSONValidator.isValid(student) { studentValidJSON += 1 }
            if JSONValidator.isValid(teacher) { teacherValidJSON += 1 }
        }
        if let judgment { judged.record(judgment) }
    }

    /// The metrics so far; rates are 0 for no rows.
    public var metrics: EvalMetrics {
        let count = Double(max(rows, 1))
        let jsonCount = Double(jsonRows)
        return EvalMetrics(
            sampleCount: rows,
            exactMatch: Double(exactMatches) / count,
            tokenF1: f1Sum / count,
            jsonSampleCount: jsonRows,
            jsonValidity: jsonRows > 0 ? Double(studentValidJSON) / jsonCount : nil,
            teacherJSONValidity: jsonRows > 0 ? Double(teacherValidJSON) / jsonCount : nil,
            judged: judged.count > 0 ? judged : nil)
    }
}

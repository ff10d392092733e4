import Serving

/// A model name clients may ask for, and where it goes.
///
/// | key | type | default |
/// |---|---|---|
/// | `name` | string | required: the `model` clients send |
/// | `teacher_model` | string | same as `name`: the model name sent upstream |
/// | `backend` | `teacher` or `student` | `teacher` |
/// | `serving` | ``RouteServingSettings`` | mode `teacher`: the initial serving mode when the corpus holds no state for the route |
/// | `answer_match` | `auto`, `exact` or `token_f1` | `auto`: when a student answer counts as the teacher's (``AnswerMatch``) |
/// | `ai_feedback` | ``AIFeedbackSettings`` | off: whether the teacher judges the route's student answers into preference pairs |
/// | `expansion` | ``ExpansionScheduleSettings`` | off: whether `retort serve` grows the route's data with expansion jobs on a schedule |
public struct RouteConfiguration: Sendable, Decodable, Equatable {
    /// Who answers a route.
    public enum Backend: String, Sendable, Decodable {
        /// The upstream teacher (or, with none configured, the built-in model standing in for it).
        case teacher
        /// The local student model alone.
        case student
    }

    /// The `model` clients send.
    public var name: RouteName
    /// The model name the teacher is asked for.
    public var teacherModel: String
    /// Who answers.
    public var backend: Backend
    /// The serving mode the route starts in when the corpus has no state for it yet.
    public var serving: RouteServingSettings
    /// When a student answer counts as good as the teacher's, for the router's labels and
    /// the shadow and exploration judgments.
    public var answerMatch: AnswerMatch
    /// Whether (and how often) the teacher judges the route's student answers into
    /// preference pairs.
    public var aiFeedback: AIFeedbackSettings
    /// Whether (and how much) the gateway grows the route's data with expansion jobs.
    public var expansion: ExpansionScheduleSettings

    /// Creates a route; the teacher model defaults to the route's name.
    public init(name: RouteName, teacherModel: String? = nil, backend: Backend = .teacher,
                serving: RouteServingSettings = RouteServingSettings(), answerMatch: AnswerMatch = .auto,
                aiFeedback: AIFeedbackSettings = AIFeedbackSettings(),
                expansion: ExpansionScheduleSettings = ExpansionScheduleSettings()) {
        self.name = name
        self.teacherModel = teacherModel ?? name.rawValue
        self.backend = backend
        self.serving = serving
        self.answerMatch = answerMatch
        self.aiFeedback = aiFeedback
        self.expansion = expansion
    }

    enum CodingKeys: String, CodingKey {
        case name, teacherModel = "teacher_model", backend, serving, answerMatch = "answer_match", aiFeedback = "ai_feedback", expansion
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(RouteName.self, forKey: .name)
        teacherModel = try c.decodeIfPresent(String.self, forKey: .teacherModel) ?? name.rawValue
        backend = try c.decodeIfPresent(Backend.self, forKey: .backend) ?? .teacher
        serving = try c.decodeIfPresent(RouteServingSettings.self, forKey: .serving) ?? RouteServingSettings()
        answerMatch = try c.decodeIfPresent(AnswerMatch.self, forKey: .answerMatch) ?? .auto
        aiFeedback = try c.decodeIfPresent(AIFeedbackSettings.self, forKey: .aiFeedback) ?? AIFeedbackSettings()
        expansion = try c.decodeIfPresent(ExpansionScheduleSettings.self, forKey: .expansion) ?? ExpansionScheduleSettings()
    }
}

import Corpus
import Distill
import Serving
import Teacher

extension GatewayConfiguration {
    /// A pairwise judge asking the configured teacher for `route`'s teacher model (the
    /// first teacher route's when nil); nil when no teacher URL is configured.
    public func teacherJudge(route: RouteName?) -> TeacherJudge? {
        guard teacher.url != nil else { return nil }
        let teacherRoute = route.flatMap { self.route(named: $0) } ?? routes.first { $0.backend == .teacher }
        return TeacherJudge(client: TeacherClient(configuration: teacher.clientConfiguration),
                            model: teacherRoute?.teacherModel ?? "default")
    }

    /// The quality gate's evaluation as this configuration sets it up (thresholds, agreement,
    /// each route's answer match, the completion budget), for `retort eval` and the
    /// evaluation after training.
    public func studentEvaluation(store: any ServingStorage, judge: TeacherJudge? = nil) throws -> StudentEvaluation {
        StudentEvaluation(store: store, thresholds: serving.gate, selective: serving.selectiveGate,
                          agreement: try serving.agreementJudge(),
                          answerMatch: Dictionary(routes.map { ($0.name, $0.answerMatch) }, uniquingKeysWith: { first, _ in first }),
                          defaultMaxTokens: min(student.defaultMaxTokens, 256), judge: judge)
    }
}

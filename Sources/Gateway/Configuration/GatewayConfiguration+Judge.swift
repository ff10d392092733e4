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
}

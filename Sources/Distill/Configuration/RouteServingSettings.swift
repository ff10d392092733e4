import Serving

/// A route's initial serving mode (`routes[].serving`), used only while the corpus holds
/// no state for the route; afterwards the stored state (changed with `retort serving set`,
/// `POST /admin/serving`, the dashboard or automatically) wins.
///
/// | key | type | default |
/// |---|---|---|
/// | `mode` | `teacher`, `shadow`, `canary` or `student` | `teacher` |
/// | `canary_percent` | number, (0, 100] | required for `canary` |
/// | `student` | string: a student version (`s-0001`) or a GGUF path | required unless `teacher` |
public struct RouteServingSettings: Sendable, Decodable, Equatable {
    /// The initial mode.
    public var mode: ServingMode
    /// The canary share, for `canary`.
    public var canaryPercent: Double?
    /// The student version or GGUF path.
    public var student: String?

    /// Settings; the defaults keep the route on the teacher.
    public init(mode: ServingMode = .teacher, canaryPercent: Double? = nil, student: String? = nil) {
        self.mode = mode
        self.canaryPercent = canaryPercent
        self.student = student
    }

    enum CodingKeys: String, CodingKey {
        case mode, canaryPercent = "canary_percent", student
    }

    /// Decodes the settings and checks them as a state would be checked.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        mode = try c.decodeIfPresent(ServingMode.self, forKey: .mode) ?? .teacher
        canaryPercent = try c.decodeIfPresent(Double.self, forKey: .canaryPercent)
        student = try c.decodeIfPresent(String.self, forKey: .student)
        do {
            _ = try initialState(route: "route")
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription: error.description))
        }
    }

    /// The state a route named `route` starts in.
    public func initialState(route: RouteName) throws(ServingError) -> RouteServingState {
        try RouteServingState(route: route, mode: mode, canaryPercent: mode == .canary ? (canaryPercent ?? 0) : 0,
                              student: student)
    }
}

extension RouteServingState: Codable {
    private enum CodingKeys: String, CodingKey {
        case route, mode, canaryPercent = "canary_percent", student, previousStudent = "previous_student"
    }

    /// Decodes a stored state and checks its invariants, so a hand-edited or corrupt record
    /// is rejected instead of served.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            route: container.decode(RouteName.self, forKey: .route),
            mode: container.decode(ServingMode.self, forKey: .mode),
            canaryPercent: container.decodeIfPresent(Double.self, forKey: .canaryPercent) ?? 0,
            student: container.decodeIfPresent(String.self, forKey: .student),
            previousStudent: container.decodeIfPresent(String.self, forKey: .previousStudent))
    }

    /// Encodes the state with snake_case keys, as the store and the admin API use.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(route, forKey: .route)
        try container.encode(mode, forKey: .mode)
        try container.encode(canaryPercent, forKey: .canaryPercent)
        try container.encodeIfPresent(student, forKey: .student)
        try container.encodeIfPresent(previousStudent, forKey: .previousStudent)
    }
}

/// A model name clients may ask for, and where it goes.
///
/// | key | type | default |
/// |---|---|---|
/// | `name` | string | required: the `model` clients send |
/// | `teacher_model` | string | same as `name`: the model name sent upstream |
/// | `backend` | `teacher` or `student` | `teacher` |
public struct RouteConfiguration: Sendable, Decodable, Equatable {
    /// Who answers a route.
    public enum Backend: String, Sendable, Decodable {
        /// The upstream teacher (or, with none configured, the built-in model standing in for it).
        case teacher
        /// The local student model alone.
        case student
    }

    /// The `model` clients send.
    public var name: String
    /// The model name the teacher is asked for.
    public var teacherModel: String
    /// Who answers.
    public var backend: Backend

    /// Creates a route; the teacher model defaults to the route's name.
    public init(name: String, teacherModel: String? = nil, backend: Backend = .teacher) {
        self.name = name
        self.teacherModel = teacherModel ?? name
        self.backend = backend
    }

    enum CodingKeys: String, CodingKey {
        case name, teacherModel = "teacher_model", backend
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        teacherModel = try c.decodeIfPresent(String.self, forKey: .teacherModel) ?? name
        backend = try c.decodeIfPresent(Backend.self, forKey: .backend) ?? .teacher
    }
}

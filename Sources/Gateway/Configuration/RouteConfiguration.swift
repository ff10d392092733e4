/// A model name clients may ask for, and where it goes.
///
/// | key | type | default |
/// |---|---|---|
/// | `name` | string | required: the `model` clients send |
/// | `teacher_model` | string | same as `name`: the model name sent upstream |
public struct RouteConfiguration: Sendable, Decodable, Equatable {
    /// The `model` clients send.
    public var name: String
    /// The model name the teacher is asked for.
    public var teacherModel: String

    /// Creates a route; the teacher model defaults to the route's name.
    public init(name: String, teacherModel: String? = nil) {
        self.name = name
        self.teacherModel = teacherModel ?? name
    }

    enum CodingKeys: String, CodingKey {
        case name, teacherModel = "teacher_model"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        teacherModel = try c.decodeIfPresent(String.self, forKey: .teacherModel) ?? name
    }
}

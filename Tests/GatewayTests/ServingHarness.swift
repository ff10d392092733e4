import ChatAPI
import Corpus
import Foundation
import Distill
import Gateway
import Hummingbird
import HummingbirdTesting
import Serving
import TestSupport

/// A gateway with the tiny model as the student of route `default`, and a mock teacher
/// that answers exactly what the student answers (a student that has learnt its task),
/// so every routing outcome can be told apart only by `served_by` and `served_reason`.
struct ServingHarness: Sendable {
    let gateway: GatewayHarness
    let model: String

    /// The prompt of the narrow task and its stop sequence (chosen so the tiny model stops early).
    static let prompt = "capital of France?"
    static let stop = "n"

    /// - Parameters:
    ///   - mode: the route's initial serving mode.
    ///   - configure: further changes to the configuration.
    ///   - handler: the mock teacher's answers.
    init(mode: ServingMode = .student, percent: Double? = nil,
         configure: @escaping (inout GatewayConfiguration) -> Void = { _ in },
         handler: @escaping @Sendable (MockRequest) -> MockReply = MockTeacher.defaultReply) throws {
        let model = try TinyModel.write()
        self.model = model
        gateway = try GatewayHarness(handler: handler, configure: { configuration in
            configuration.routes[0].serving = RouteServingSettings(mode: mode, canaryPercent: percent,
                                                                   student: mode == .teacher ? nil : model)
            configuration.routes.append(RouteConfiguration(name: "student", backend: .student))
            configuration.student.model = model
            configuration.serving.minimumConfidence = nil
            configuration.serving.pollIntervalMs = 50
            configure(&configuration)
        })
        gateway.services.serving.preloadStudents()
    }

    var services: GatewayServices { gateway.services }

    /// A request body for the narrow task on route `default`.
    static func body(stream: Bool = false, user: String? = nil, extra: String = "") -> String {
        let userField = user.map { #","user":"\#($0)""# } ?? ""
        return #"{"model":"default","stream":\#(stream),"temperature":0,"max_tokens":24,"stop":["\#(stop)"]\#(userField),"messages":[{"role":"user","content":"\#(prompt)"}]\#(extra)}"#
    }

    /// Posts `body` and returns the status and the parsed JSON (nil for a stream).
    static func post(_ client: any TestClientProtocol, _ body: String) async throws -> (HTTPResponse.Status, JSONValue?) {
        try await client.execute(uri: "/v1/chat/completions", method: .post, headers: [.contentType: "application/json"],
                                     body: ByteBuffer(string: body)) { response in
            (response.status, try? JSONValue.parse(Array(response.body.readableBytesView)))
        }
    }

    /// The answer text of a `chat.completion`.
    static func text(_ json: JSONValue?) -> String? {
        json?["choices"]?.arrayValue?.first?["message"]?["content"]?.stringValue
    }

    /// Unserved student answers of route `default`.
    func studentAnswers(kind: String) throws -> [StoredStudentAnswer] {
        try ServingStore(reader: services.reader).studentAnswers(route: "default", kind: kind)
    }
}

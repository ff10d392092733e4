import Foundation
import Distill
import Gateway
import Testing

/// The `student` configuration section: every decode weight format, and a clear error for
/// an unknown one instead of a silent fallback.
@Suite struct StudentSettingsTests {
    @Test(arguments: ["auto", "q8_0", "q4_1", "f32"])
    func decodeWeightsAcceptTheEngineFormats(name: String) throws {
        let json = #"{"student": {"decode_weights": "\#(name)"}}"#
        let configuration = try JSONDecoder().decode(GatewayConfiguration.self, from: Data(json.utf8))
        #expect(configuration.student.decodeWeights.rawValue == name)
    }

    @Test func decodeWeightsDefaultToTheFilesOwnFormat() {
        #expect(GatewayConfiguration().student.decodeWeights.rawValue == "auto")
    }

    @Test func unknownDecodeWeightsAreRejectedByName() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("retort-student-\(UUID().uuidString).json")
        try Data(#"{"student": {"decode_weights": "q2_k"}}"#.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let error = #expect(throws: ConfigurationError.self) { try GatewayConfiguration.load(path: url.path, required: true) }
        #expect(error?.description.contains("student.decode_weights") == true)
        #expect(error?.description.contains("auto, q8_0, f32, q4_1") == true)
    }
}

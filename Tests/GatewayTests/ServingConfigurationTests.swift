import Foundation
import Distill
import Gateway
import Serving
import Testing

/// The `serving` configuration keys and the routes' `serving` sections.
@Suite struct ServingConfigurationTests {
    static func decode(_ json: String) throws -> GatewayConfiguration {
        try JSONDecoder().decode(GatewayConfiguration.self, from: Data(json.utf8))
    }

    @Test func absentSectionsKeepTheDocumentedDefaults() throws {
        let configuration = try Self.decode("{}")
        #expect(configuration.serving.minimumConfidence == 0.1 && configuration.serving.autoPromote == false)
        #expect(configuration.serving.gate == QualityGateThresholds())
        #expect(configuration.routes.allSatisfy { $0.serving == RouteServingSettings() && $0.answerMatch == .auto })
    }

    @Test func snakeCaseKeysReachEverySection() throws {
        let configuration = try Self.decode("""
            {"routes": [{"name": "r", "answer_match": "exact", "serving": {"mode": "canary", "canary_percent": 5, "student": "s-0001"}}],
             "serving": {"minimum_confidence": null, "shadow_sample_rate": 0.5, "auto_promote": true,
                         "gate": {"minimum_samples": 10, "minimum_exact_match": 0.9, "minimum_token_f1": null},
                         "rollback": {"maximum_down_rate": 0.2, "window_seconds": null},
                         "rollout": {"canary_percent": 25, "minimum_canary_ratings": 4}}}
            """)
        let serving = configuration.serving
        #expect(serving.minimumConfidence == nil && serving.shadowSampleRate == 0.5 && serving.autoPromote)
        #expect(serving.gate.minimumSamples == 10 && serving.gate.minimumExactMatch == 0.9 && serving.gate.minimumTokenF1 == nil)
        #expect(serving.rollback.maximumDownRate == 0.2 && serving.rollback.windowSeconds == nil)
        #expect(serving.rollout.canaryPercent == 25 && serving.rollout.minimumCanaryRatings == 4)
        #expect(configuration.routes[0].answerMatch == .exact)
        let state = try configuration.routes[0].serving.initialState(route: "r")
        #expect(state.mode == .canary && state.canaryPercent == 5 && state.student == "s-0001")
    }

    @Test(arguments: [
        #"{"serving": {"shadow_sample_rate": 2}}"#,
        #"{"serving": {"minimum_confidence": -1}}"#,
        #"{"routes": [{"name": "r", "serving": {"mode": "student"}}]}"#,
        #"{"routes": [{"name": "r", "serving": {"mode": "canary", "student": "s", "canary_percent": 0}}]}"#,
        #"{"routes": [{"name": "r", "serving": {"mode": "sideways"}}]}"#,
        #"{"routes": [{"name": "r", "answer_match": "fuzzy"}]}"#,
    ])
    func invalidValuesAreRejected(json: String) {
        #expect(throws: DecodingError.self) { try Self.decode(json) }
    }

    @Test(arguments: [1.5, -0.1])
    func anInvalidShadowAgreementF1IsAConfigurationErrorNamingTheKey(value: Double) {
        let error = #expect(throws: DecodingError.self) { try Self.decode(#"{"serving": {"shadow_agreement_f1": \#(value)}}"#) }
        #expect(error.map { String(describing: $0) }?.contains("shadow_agreement_f1") == true)
        #expect(throws: Never.self) { try Self.decode(#"{"serving": {"shadow_agreement_f1": 1}}"#) }
    }

    @Test func aLoadedConfigurationKnowsItsFileForTheTrainingChildren() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../config/retort.json")
        let loaded = try GatewayConfiguration.load(path: url.path, required: true)
        #expect(loaded.sourcePath == url.standardizedFileURL.path && loaded.sourcePath?.hasPrefix("/") == true)
        #expect(try GatewayConfiguration.load(path: "/nonexistent/retort.json", required: false).sourcePath == nil)
    }

    @Test func theShippedConfigurationDecodes() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../config/retort.json")
        let configuration = try JSONDecoder().decode(GatewayConfiguration.self, from: Data(contentsOf: url))
        #expect(configuration.serving.gate.minimumSamples == 200)
        #expect(configuration.route(named: "default")?.serving.mode == .teacher)
    }
}

import ChatAPI
import Distill
import Testing

@Suite struct TrainingSettingsTests {
    @Test func theAdminBodyAndTheCommandLineDecodeTheSameWay() throws {
        let settings = try TrainingSettings.from(json: try JSONValue.parse(
            #"{"kind":"dpo","rank":8,"epochs":3,"source_weights":{"ai_feedback":0.5}}"#))
        #expect(settings.kind == .dpo && settings.rank == 8 && settings.epochs == 3 && settings.lora)
        #expect(settings.weight(ofSource: "ai_feedback") == 0.5 && settings.weight(ofSource: "rating") == 1)
        let stored = try TrainingSettings.from(json: settings.json)
        #expect(stored == settings)
    }

    @Test func sftChoosesItsEpochsByValidationUnlessTheyAreGiven() throws {
        let sft = try TrainingSettings.from(json: try JSONValue.parse(#"{"kind":"sft"}"#))
        #expect(sft.epochs == nil && sft.validatesEpochs && sft.plannedEpochs == 6)
        let fixed = try TrainingSettings.from(json: try JSONValue.parse(#"{"kind":"sft","epochs":3}"#))
        #expect(!fixed.validatesEpochs && fixed.plannedEpochs == 3)
        let dpo = try TrainingSettings.from(json: try JSONValue.parse(#"{"kind":"dpo"}"#))
        #expect(!dpo.validatesEpochs && dpo.plannedEpochs == 2)
    }

    @Test(arguments: [
        (#"{"kind":"sft","rank":0}"#, "rank"), (#"{"kind":"rl"}"#, "kind"), (#"{"kind":"sft","epochs":"two"}"#, "epochs"),
        (#"{"kind":"sft","dropout":0.1}"#, "dropout"), (#"{"epochs":1}"#, "kind"), (#"{"kind":"sft","max_seq":8}"#, "max_seq"),
        (#"{"kind":"sft","gguf_type":"q4"}"#, "gguf_type"), (#"{"kind":"sft","max_epochs":0}"#, "max_epochs"),
        (#"{"kind":"sft","validation_percent":60}"#, "validation_percent"),
        (#"{"kind":"dpo","source_weights":{"ai_feedback":-1}}"#, "source_weights"),
        (#"{"kind":"kd","layers":15}"#, "teacher"), (#"{"kind":"kd","teacher":"t.gguf"}"#, "layers"),
        (#"{"kind":"sft","kd_weight":1.5}"#, "kd_weight"),
        (#"{"kind":"dpo","source_weights":{"ai_feedback":"half"}}"#, "ai_feedback"),
    ])
    func unworkableSettingsNameTheirKey(body: String, key: String) throws {
        do {
            _ = try TrainingSettings.from(json: try JSONValue.parse(body))
            Issue.record("accepted \(body)")
        } catch DistillError.invalidTrainingSettings(let message, let named) {
            #expect(named == key, "\(message)")
        }
    }
}

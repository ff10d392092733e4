import ChatAPI
import Corpus
import Foundation
import Gateway
import Testing

/// A stand-in for `retort`: a script that writes its arguments and model to a file.
private func recordingExecutable() throws -> (script: String, output: String) {
    let base = FileManager.default.temporaryDirectory.appendingPathComponent("retort-fake-\(UUID().uuidString)").path
    let script = "#!/bin/sh\necho \"$@ model=$RETORT_STUDENT_MODEL\" > \(base).out\nsleep 2\n"
    try script.write(toFile: base + ".sh", atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: base + ".sh")
    return (base + ".sh", base + ".out")
}

@Suite struct AdminTrainingTests {
    @Test func studentsAreListedWithTheirFiles() async throws {
        let corpus = try AdminTestCorpus()
        let store = TrainingStore(reader: corpus.services.reader)
        let run = try store.createRun(kind: "sft", config: .object([("kind", .string("sft"))]))
        try store.register(StudentVersion(version: "s-0001", runID: run.id, parent: nil, createdAt: 5, directory: "/d/s-0001",
                                          files: ["gguf": "model.gguf"], metrics: .object([("final_loss", .double(0.25))])))
        let reply = try await corpus.run { try await $0.get("/admin/students") }
        let student = try JSONValue.parse(reply.text)["data"]?.arrayValue?.first
        #expect(reply.status == 200 && student?["version"]?.stringValue == "s-0001")
        #expect(student?["files"]?["gguf"]?.stringValue == "model.gguf" && student?["metrics"]?["final_loss"]?.doubleValue == 0.25)
    }

    @Test func postingARunSpawnsTheTrainerAndAnswers202() async throws {
        let fake = try recordingExecutable()
        let corpus = try AdminTestCorpus {
            $0.training.executable = fake.script
            $0.student.model = "/models/base.gguf"
        }
        let (created, busy) = try await corpus.run { client in
            (try await client.postJSON("/admin/train", #"{"kind":"sft","epochs":1,"lora":true}"#),
             try await client.postJSON("/admin/train", #"{"kind":"dpo"}"#))
        }
        let id = try #require(created.json["id"]?.stringValue)
        #expect(created.status == 202 && created.json["status"]?.stringValue == "queued")
        #expect(busy.status == 409 && busy.json["error"]?["code"]?.stringValue == "run_active")
        var written = ""
        for _ in 0..<200 where written.isEmpty {
            written = (try? String(contentsOfFile: fake.output, encoding: .utf8)) ?? ""
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(written.hasPrefix("train sft --run-id \(id) --db \(corpus.services.configuration.database)"))
        #expect(written.contains("model=/models/base.gguf"))
        let run = try #require(try TrainingStore(reader: corpus.services.reader).run(id: id))
        #expect(run.config["epochs"]?.intValue == 1 && run.kind == "sft")
    }

    @Test func badBodiesAre400AndAFailedSpawnFailsTheRun() async throws {
        let corpus = try AdminTestCorpus { $0.training.executable = "/nonexistent/retort" }
        try await corpus.run { client in
            for body in [#"{"kind":"rl"}"#, #"{"kind":"sft","epochs":"two"}"#, #"{"kind":"sft","dropout":0.1}"#, "[1]", "{"] {
                let reply = try await client.postJSON("/admin/train", body)
                #expect(reply.status == 400, "\(body)")
            }
            let failed = try await client.postJSON("/admin/train", #"{"kind":"sft"}"#)
            #expect(failed.status == 500)
        }
        let runs = try TrainingStore(reader: corpus.services.reader).runs()
        #expect(runs.count == 1 && runs.first?.status == .failed)
    }

    @Test func runsShowStatusMetricsAndTheLossCurve() async throws {
        let corpus = try AdminTestCorpus()
        let store = TrainingStore(reader: corpus.services.reader)
        let run = try store.createRun(kind: "sft", config: .object([("kind", .string("sft"))]))
        try store.startRun(id: run.id, pid: 1, dataSnapshot: .object([("used", .int(3))]))
        for step in 1...4 {
            try store.recordMetric(runID: run.id, step: step, values: .object([("loss", .double(2.0 / Double(step)))]))
        }
        let (list, detail, missing) = try await corpus.run { client in
            (try await client.get("/admin/train/runs"), try await client.get("/admin/train/runs/\(run.id)"),
             try await client.get("/admin/train/runs/nope"))
        }
        let listed = try JSONValue.parse(list.text)["data"]?.arrayValue?.first
        #expect(listed?["status"]?.stringValue == "running" && listed?["last_metrics"]?["step"]?.intValue == 4)
        let json = try JSONValue.parse(detail.text)
        #expect(json["loss_curve"]?.arrayValue?.count == 4 && json["metric_points"]?.arrayValue?.count == 4)
        #expect(json["loss_curve"]?.arrayValue?.last == .array([.int(4), .double(0.5)]))
        #expect(json["data_snapshot"]?["used"]?.intValue == 3)
        #expect(missing.status == 404)
    }
}

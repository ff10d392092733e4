import Foundation

/// Where a run keeps its files, all under the corpus's data directory: its checkpoint and
/// frozen dataset in `runs/<run id>/`, finished versions in `students/<version>/`.
struct RunWorkspace {
    /// The absolute directory holding the corpus file (`data/` by default).
    let dataDirectory: String
    /// The run's id.
    let runID: String

    /// The workspace of run `runID` beside the corpus file `database`. The directory is made
    /// absolute, so the paths registered for a version do not depend on where the gateway runs.
    init(database: String, runID: String) {
        dataDirectory = URL(fileURLWithPath: database).standardizedFileURL.deletingLastPathComponent().path
        self.runID = runID
    }

    /// `<data>/students`: one directory per registered version.
    var studentsRoot: String { dataDirectory + "/students" }
    /// `<data>/runs/<id>`: the run's working files, removed when it succeeds.
    var runDirectory: String { dataDirectory + "/runs/" + runID }
    /// The latest checkpoint.
    var checkpoint: String { runDirectory + "/checkpoint.rtck" }
    /// The encoded dataset the run trains on (fixed at its start, so a resume sees the same data).
    var dataset: String { runDirectory + "/dataset.json" }
    /// The validation losses of an SFT run that chooses its epochs.
    var validation: String { runDirectory + "/validation.json" }
    /// The trainable parameters at the best validated epoch so far.
    var bestParameters: String { runDirectory + "/best.f32" }
    /// The run's log output when started by the gateway.
    var log: String { runDirectory + "/train.log" }

    /// Creates the run directory.
    func create() throws {
        try FileManager.default.createDirectory(atPath: runDirectory, withIntermediateDirectories: true)
    }

    /// Removes the run directory (after success).
    func remove() {
        try? FileManager.default.removeItem(atPath: runDirectory)
    }
}

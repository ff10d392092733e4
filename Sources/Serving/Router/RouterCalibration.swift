/// Cross-fitting, so that a router's threshold is calibrated on scores of samples its model
/// never saw: an in-sample score is optimistic (the model has fitted that sample's label),
/// which would put the threshold too low and serve the student too often.
public enum RouterCalibration {
    /// Fits one model per fold on the other folds and scores that fold with it.
    ///
    /// - Parameters:
    ///   - samples: features per sample. (n, d)
    ///   - labels: whether the student's answer was good enough. (n)
    ///   - folds: clamped to 1…n; with 1 fold every training set is empty and every
    ///     out-of-fold score is 0.5.
    ///   - seed: fixes the fold assignment (``foldAssignment(labels:folds:seed:)``).
    ///   - l2, iterations: as in ``RouterModel/fit(samples:labels:l2:iterations:)``.
    /// - Returns: the model fitted on all samples (the one to serve), and each sample's score
    ///   from the model that did not see it (n), the input of ``CoverageCurve``.
    public static func crossFit(
        samples: [[Float]], labels: [Bool], folds: Int = 5, seed: UInt64, l2: Double, iterations: Int
    ) -> (model: RouterModel, outOfFold: [Double]) {
        precondition(samples.count == labels.count, "RouterCalibration: \(samples.count) samples but \(labels.count) labels")
        let assignment = foldAssignment(labels: labels, folds: folds, seed: seed)
        var outOfFold = [Double](repeating: 0.5, count: samples.count)
        for fold in Set(assignment).sorted() {
            let training = samples.indices.filter { assignment[$0] != fold }
            let model = RouterModel.fit(
                samples: training.map { samples[$0] }, labels: training.map { labels[$0] }, l2: l2, iterations: iterations)
            for index in samples.indices where assignment[index] == fold {
                outOfFold[index] = model.probability(samples[index])
            }
        }
        let model = RouterModel.fit(samples: samples, labels: labels, l2: l2, iterations: iterations)
        return (model, outOfFold)
    }

    /// The fold (0 ..< k, k = `folds` clamped to 1…n) of each of the n samples, stratified by
    /// label: the true-labelled samples, then the false-labelled ones, each shuffled by a
    /// Fisher–Yates pass of ``SplitMix64`` seeded with `seed`, are dealt round-robin onto the
    /// folds, so every fold gets ⌊·⌋ or ⌈·⌉ of each class and of the total. (n)
    public static func foldAssignment(labels: [Bool], folds: Int, seed: UInt64) -> [Int] {
        let foldCount = max(1, min(folds, labels.count))
        var generator = SplitMix64(seed: seed)
        var assignment = [Int](repeating: 0, count: labels.count)
        var dealt = 0
        for label in [true, false] {
            var members = labels.indices.filter { labels[$0] == label }
            shuffle(&members, using: &generator)
            for index in members {
                assignment[index] = dealt % foldCount
                dealt += 1
            }
        }
        return assignment
    }

    /// Fisher–Yates with an explicit draw, so the order does not depend on the standard
    /// library's `shuffle(using:)`, whose algorithm is not promised to stay the same.
    private static func shuffle(_ values: inout [Int], using generator: inout SplitMix64) {
        guard values.count > 1 else { return }
        for index in stride(from: values.count - 1, to: 0, by: -1) {
            let other = Int(generator.next() % UInt64(index + 1))
            values.swapAt(index, other)
        }
    }
}

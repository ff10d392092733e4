import Serving
import Testing

@Suite struct RouterCalibrationTests {
    @Test func foldsAreStratifiedAndBalanced() {
        let labels = (0..<25).map { $0 % 5 < 2 }  // 10 true, 15 false
        let assignment = RouterCalibration.foldAssignment(labels: labels, folds: 5, seed: 1)
        for fold in 0..<5 {
            let members = labels.indices.filter { assignment[$0] == fold }
            #expect(members.count == 5)
            #expect(members.count(where: { labels[$0] }) == 2, "fold \(fold)")
        }
    }

    @Test func foldsAreFixedBySeed() {
        let labels = (0..<40).map { $0 % 3 == 0 }
        let first = RouterCalibration.foldAssignment(labels: labels, folds: 4, seed: 42)
        #expect(first == RouterCalibration.foldAssignment(labels: labels, folds: 4, seed: 42))
        #expect(first != RouterCalibration.foldAssignment(labels: labels, folds: 4, seed: 43))
    }

    @Test func foldCountIsClampedToTheSamples() {
        let assignment = RouterCalibration.foldAssignment(labels: [true, false, true], folds: 10, seed: 0)
        #expect(assignment.sorted() == [0, 1, 2])
        #expect(RouterCalibration.foldAssignment(labels: [], folds: 5, seed: 0) == [])
    }

    @Test func outOfFoldScoresAreNotInSampleScores() {
        let data = SyntheticRouterData(count: 120, dimension: 20, flipRate: 0.25, seed: 12)
        let (model, outOfFold) = RouterCalibration.crossFit(
            samples: data.samples, labels: data.labels, seed: 3, l2: 1e-2, iterations: 30)
        #expect(model == RouterModel.fit(samples: data.samples, labels: data.labels, l2: 1e-2, iterations: 30))
        let inSample = data.samples.map(model.probability)
        let meanDifference = zip(inSample, outOfFold).reduce(0) { $0 + abs($1.0 - $1.1) } / 120
        #expect(meanDifference > 0.02)
        let inSampleAUC = CoverageCurve(scores: inSample, studentGood: data.labels).auc ?? 0
        let outOfFoldAUC = CoverageCurve(scores: outOfFold, studentGood: data.labels).auc ?? 1
        #expect(inSampleAUC > outOfFoldAUC, "in-sample scores are optimistic")
    }

    @Test func crossFittingIsDeterministic() {
        let data = SyntheticRouterData(count: 60, dimension: 5, flipRate: 0.2, seed: 13)
        let first = RouterCalibration.crossFit(samples: data.samples, labels: data.labels, folds: 3, seed: 9, l2: 0.1, iterations: 20)
        let second = RouterCalibration.crossFit(samples: data.samples, labels: data.labels, folds: 3, seed: 9, l2: 0.1, iterations: 20)
        #expect(first.model == second.model && first.outOfFold == second.outOfFold)
        let other = RouterCalibration.crossFit(samples: data.samples, labels: data.labels, folds: 3, seed: 10, l2: 0.1, iterations: 20)
        #expect(other.outOfFold != first.outOfFold)
    }

    @Test func oneFoldHasNothingToTrainOn() {
        let data = SyntheticRouterData(count: 10, dimension: 2, seed: 14)
        let result = RouterCalibration.crossFit(samples: data.samples, labels: data.labels, folds: 1, seed: 0, l2: 0.1, iterations: 10)
        #expect(result.outOfFold == [Double](repeating: 0.5, count: 10))
        let empty = RouterCalibration.crossFit(samples: [], labels: [], seed: 0, l2: 0.1, iterations: 10)
        #expect(empty.model == .constant(0.5) && empty.outOfFold.isEmpty)
    }
}

import Serving
import Testing

/// The fit against values from an independent implementation.
///
/// Produced with NumPy 2.4.6 and SciPy 1.17.1: standardise with `X.mean(0)` and `X.std(0)`
/// (ddof 0), minimise J(w, b) = mean(logaddexp(0, z) − y·z) + (0.1/2)·‖w‖² with
/// `scipy.optimize.minimize(method="BFGS", jac=analytic, gtol=1e-13)` from zeros, then five
/// NumPy Newton steps (`np.linalg.solve(H, g)`), which moved the BFGS result by 2.3e-12 and
/// left a largest gradient component of 5.6e-17. `trust-exact` with the analytic Hessian
/// agreed to 1e-8.
@Suite struct RouterReferenceTests {
    /// (12, 3), every value exact in Float.
    static let samples: [[Float]] = [
        [0.50, 1.25, -2.00], [1.75, 0.00, 0.50], [-0.25, 2.50, 1.00], [2.00, -1.50, 0.25],
        [-1.00, 0.75, -0.75], [0.25, -0.50, 1.50], [1.50, 1.00, -1.25], [-1.75, -0.25, 0.00],
        [0.75, 2.00, 2.25], [-0.50, -1.75, -0.50], [2.50, 0.50, 1.75], [-1.25, 1.50, -1.50],
    ]
    /// (12)
    static let labels = [true, true, false, true, false, false, true, false, true, false, true, true]

    static let referenceMeans = [0.375, 0.458_333_333_333_333, 0.104_166_666_666_667]
    static let referenceScales = [1.312_995_938_049_061, 1.257_615_689_398_881, 1.296_864_541_457_16]
    static let referenceWeights = [1.196_977_549_289_143, 0.423_978_184_545_847, -0.460_923_629_441_969]
    static let referenceBias = 0.423_194_157_266_879
    static let referenceLoss = 0.463_578_120_671_553_35
    /// P(good) for the query [1.0, 0.5, −0.5].
    static let referenceQueryProbability = 0.772_370_386_181_474

    @Test func matchesTheScipyOptimum() {
        let model = RouterModel.fit(samples: Self.samples, labels: Self.labels, l2: 0.1, iterations: 50)
        for (value, reference) in zip(model.scaling.means, Self.referenceMeans) { #expect(abs(value - reference) < 1e-12) }
        for (value, reference) in zip(model.scaling.scales, Self.referenceScales) { #expect(abs(value - reference) < 1e-12) }
        for (value, reference) in zip(model.weights, Self.referenceWeights) { #expect(abs(value - reference) < 1e-9) }
        #expect(abs(model.bias - Self.referenceBias) < 1e-9)
        #expect(abs(model.probability([1.0, 0.5, -0.5]) - Self.referenceQueryProbability) < 1e-9)
        let objective = RouterObjective(samples: Self.samples, labels: Self.labels, scaling: model.scaling, l2: 0.1)
        #expect(abs(objective.loss(weights: model.weights, bias: model.bias) - Self.referenceLoss) < 1e-12)
    }
}

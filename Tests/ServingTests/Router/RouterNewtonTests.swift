@testable import Serving
import Testing

/// The Newton machinery behind ``RouterModel/fit(samples:labels:l2:iterations:)``: the Hessian
/// against differences of the gradient, the Cholesky solve against its residual.
@Suite struct RouterNewtonTests {
    @Test func hessianMatchesCentralDifferencesOfTheGradient() {
        let data = SyntheticRouterData(count: 25, dimension: 4, flipRate: 0.2, seed: 21)
        let objective = RouterObjective(
            samples: data.samples, labels: data.labels, scaling: FeatureScaling(fittedTo: data.samples), l2: 0.2)
        let parameters = [0.3, -0.7, 0.1, 0.9, -0.2]  // 4 weights, then the bias
        let hessian = objective.hessian(logits: objective.logits(parameters: parameters))  // (5, 5), upper triangle
        let step = 1e-6
        for row in 0..<5 {
            var plus = parameters, minus = parameters
            plus[row] += step
            minus[row] -= step
            let gradientPlus = objective.gradient(parameters: plus, logits: objective.logits(parameters: plus))
            let gradientMinus = objective.gradient(parameters: minus, logits: objective.logits(parameters: minus))
            for column in row..<5 {
                let numeric = (gradientPlus[column] - gradientMinus[column]) / (2 * step)
                #expect(abs(numeric - hessian[row * 5 + column]) < 1e-8, "(\(row), \(column))")
            }
        }
    }

    @Test func choleskySolvesASymmetricPositiveDefiniteSystem() throws {
        // A = Mᵀ·M + I for a fixed M, so A is symmetric positive definite. (4, 4)
        let factor: [[Double]] = [[2, -1, 0, 3], [1, 4, -2, 0], [0, 1, 1, -1], [5, 0, 2, 1]]
        let matrix = (0..<4).flatMap { row in
            (0..<4).map { column in
                (0..<4).reduce(row == column ? 1.0 : 0.0) { $0 + factor[$1][row] * factor[$1][column] }
            }
        }
        let rightHandSide = [1.0, -2, 0.5, 3]
        var work = matrix
        let solution = try #require(CholeskySolver.solve(&work, size: 4, rightHandSide))
        for row in 0..<4 {
            let product = (0..<4).reduce(0.0) { $0 + matrix[row * 4 + $1] * solution[$1] }
            #expect(abs(product - rightHandSide[row]) < 1e-12)
        }
    }

    @Test func choleskyRefusesAnIndefiniteMatrix() {
        var matrix: [Double] = [1, 2, 2, 1]  // eigenvalues 3 and −1
        #expect(CholeskySolver.solve(&matrix, size: 2, [1, 1]) == nil)
    }
}

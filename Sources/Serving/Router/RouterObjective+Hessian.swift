extension RouterObjective {
    /// A tiny ridge on the Hessian's diagonal (not on the objective), so the Newton step
    /// exists even with λ = 0 and collinear features.
    static let hessianRidge = 1e-10

    /// ∇²J given the `logits` (n): (1/n) Σᵢ pᵢ(1 − pᵢ)·[x̃ᵢ, 1][x̃ᵢ, 1]ᵀ + λ on the weights'
    /// diagonal. Only the upper triangle (column ≥ row) is filled. (d + 1, d + 1), row-major
    ///
    /// Accumulated as one rank-1 update per sample, each row of it a contiguous
    /// `row += a·x` that the optimiser vectorises: n·(d + 1)²/2 multiply-adds.
    func hessian(logits: [Double]) -> [Double] {
        var hessian = [Double](repeating: 0, count: width * width)
        design.withUnsafeBufferPointer { design in
            hessian.withUnsafeMutableBufferPointer { hessian in
                for sample in 0..<sampleCount {
                    let probability = logistic(logits[sample])
                    let curvature = probability * (1 - probability) / Double(sampleCount)
                    guard curvature > 0 else { continue }
                    let features = design.baseAddress! + sample * width
                    for row in 0..<width {
                        let scale = curvature * features[row]
                        guard scale != 0 else { continue }
                        let target = hessian.baseAddress! + row * width
                        for column in row..<width { target[column] += scale * features[column] }
                    }
                }
            }
        }
        for index in 0..<width { hessian[index * width + index] += Self.hessianRidge }
        for feature in 0..<dimension { hessian[feature * width + feature] += l2 }
        return hessian
    }
}

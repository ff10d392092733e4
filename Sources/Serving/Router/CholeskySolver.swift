/// Solves A·x = b for a symmetric positive definite A by its Cholesky factorisation A = Rᵀ·R,
/// R upper triangular (Golub & Van Loan, "Matrix Computations", algorithm 4.2.1, by rows).
enum CholeskySolver {
    /// x for `matrix` A (size, size), row-major, of which only the upper triangle is read,
    /// and `rightHandSide` b (size); nil when A is not numerically positive definite.
    /// `matrix` is overwritten with R. size³/6 multiply-adds, as contiguous row updates.
    static func solve(_ matrix: inout [Double], size: Int, _ rightHandSide: [Double]) -> [Double]? {
        precondition(matrix.count == size * size && rightHandSide.count == size, "CholeskySolver: shapes differ")
        let factored = matrix.withUnsafeMutableBufferPointer { factorInPlace($0.baseAddress!, size: size) }
        guard factored else { return nil }
        return matrix.withUnsafeBufferPointer { substitute($0.baseAddress!, size: size, rightHandSide) }
    }

    /// Overwrites the upper triangle of A (size, size) with R; false at a pivot ≤ 0.
    private static func factorInPlace(_ matrix: UnsafeMutablePointer<Double>, size: Int) -> Bool {
        for pivotIndex in 0..<size {
            let pivotRow = matrix + pivotIndex * size
            let pivot = pivotRow[pivotIndex]
            guard pivot > 0, pivot.isFinite else { return false }
            let diagonal = pivot.squareRoot()
            pivotRow[pivotIndex] = diagonal
            for column in (pivotIndex + 1)..<size { pivotRow[column] /= diagonal }
            for row in (pivotIndex + 1)..<size {
                let factor = pivotRow[row]
                guard factor != 0 else { continue }
                let target = matrix + row * size
                for column in row..<size { target[column] -= factor * pivotRow[column] }
            }
        }
        return true
    }

    /// x from Rᵀ·y = b (forward, by row updates), then R·x = y (backward, by dot products).
    private static func substitute(_ factor: UnsafePointer<Double>, size: Int, _ rightHandSide: [Double]) -> [Double] {
        var solution = rightHandSide  // (size): b, then y, then x
        for row in 0..<size {
            let factorRow = factor + row * size
            solution[row] /= factorRow[row]
            let value = solution[row]
            for column in (row + 1)..<size { solution[column] -= value * factorRow[column] }
        }
        for row in stride(from: size - 1, through: 0, by: -1) {
            let factorRow = factor + row * size
            var value = solution[row]
            for column in (row + 1)..<size { value -= factorRow[column] * solution[column] }
            solution[row] = value / factorRow[row]
        }
        return solution
    }
}

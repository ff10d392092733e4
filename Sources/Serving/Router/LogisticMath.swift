#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The logistic function 1 / (1 + e^−z), evaluated without overflow for either sign of `z`.
func logistic(_ logit: Double) -> Double {
    if logit >= 0 { return 1 / (1 + exp(-logit)) }
    let power = exp(logit)
    return power / (1 + power)
}

/// softplus(z) = log(1 + e^z) without overflow: max(z, 0) + log1p(e^−|z|).
/// The logistic log-loss of a label y at logit z is softplus(z) − y·z.
func softplus(_ logit: Double) -> Double {
    max(logit, 0) + log1p(exp(-abs(logit)))
}

/// log(p / (1 − p)), the logit of a probability in 0…1 (−∞ at 0, +∞ at 1).
func logOdds(_ probability: Double) -> Double {
    log(probability) - log1p(-probability)
}

/// log(1 + x), accurate for small x; the C library's, without importing Foundation.
func naturalLog1p(_ value: Double) -> Double {
    log1p(value)
}

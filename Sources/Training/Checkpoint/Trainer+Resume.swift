extension Trainer {
    /// Advances the step counter (and so the learning-rate schedule) to `step` without
    /// touching the model or the optimizer, after a checkpoint restored both.
    public func fastForward(to step: Int) {
        // An empty batch only advances the step (see `step(batch:)`).
        while self.step < step { _ = self.step(batch: []) }
    }
}

extension DPOTrainer {
    /// Advances the step counter (and so the learning-rate schedule) to `step` without
    /// touching the model or the optimizer, after a checkpoint restored both.
    public func fastForward(to step: Int) {
        // An empty batch only advances the step (see `step(batch:references:)`).
        while self.step < step { _ = self.step(batch: [], references: []) }
    }
}

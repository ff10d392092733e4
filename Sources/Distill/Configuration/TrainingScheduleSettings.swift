/// The `training` section of the configuration: how the gateway starts training runs
/// (`POST /admin/train` and the automatic schedule). Each run is a `retort train` child
/// process at nice 10, so the gateway keeps serving while it trains.
///
/// | key | type | default |
/// |---|---|---|
/// | `auto` | bool | `false`: no automatic runs |
/// | `min_new_exchanges` | int | 200: curated train exchanges new since the last SFT run that start one |
/// | `min_new_pairs` | int | 50: preference pairs new since the last DPO run that start one |
/// | `interval_hours` | double | 24: after this long, any new data starts a run |
/// | `check_seconds` | int | 300: how often `retort serve` checks |
/// | `lora` | bool | `true`: automatic runs train LoRA adapters (false: full fine-tuning) |
/// | `epochs` | int | none: each SFT run chooses by validation loss (up to 6); DPO runs make 2 |
/// | `executable` | string | this `retort` binary |
public struct TrainingScheduleSettings: Sendable, Decodable, Equatable {
    /// Whether `retort serve` starts runs on its own.
    public var auto = false
    /// New curated exchanges that make an SFT run due.
    public var minNewExchanges = 200
    /// New preference pairs that make a DPO run due.
    public var minNewPairs = 50
    /// Hours after which any new data makes a run due.
    public var intervalHours = 24.0
    /// Seconds between checks.
    public var checkSeconds = 300
    /// LoRA (true) or full fine-tuning for automatic runs.
    public var lora = true
    /// Epochs of automatic runs; nil: chosen as ``TrainingSettings/epochs`` says.
    public var epochs: Int?
    /// The `retort` binary to run; nil for the running one.
    public var executable: String?

    /// The defaults.
    public init() {}

    enum CodingKeys: String, CodingKey {
        case auto, lora, epochs, executable
        case minNewExchanges = "min_new_exchanges", minNewPairs = "min_new_pairs", intervalHours = "interval_hours"
        case checkSeconds = "check_seconds"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = TrainingScheduleSettings()
        auto = try c.decodeIfPresent(Bool.self, forKey: .auto) ?? d.auto
        minNewExchanges = try c.decodeIfPresent(Int.self, forKey: .minNewExchanges) ?? d.minNewExchanges
        minNewPairs = try c.decodeIfPresent(Int.self, forKey: .minNewPairs) ?? d.minNewPairs
        intervalHours = try c.decodeIfPresent(Double.self, forKey: .intervalHours) ?? d.intervalHours
        checkSeconds = try c.decodeIfPresent(Int.self, forKey: .checkSeconds) ?? d.checkSeconds
        lora = try c.decodeIfPresent(Bool.self, forKey: .lora) ?? d.lora
        epochs = try c.decodeIfPresent(Int.self, forKey: .epochs)
        executable = try c.decodeIfPresent(String.self, forKey: .executable)
    }
}

import Engine
import Foundation

/// A tiny seeded random-weight Llama model in GGUF, written by the engine's own writer,
/// for fast tests (loads in milliseconds; its output is gibberish but deterministic).
///
/// It has the real SmolLM2 tokenizer layout (byte-level BPE with a few merges, ChatML
/// control tokens, `<|im_end|>` as eos) and SmolLM2's chat template, so anything that
/// serves the real student can serve this one.
public enum TinyModel {
    /// The model's sizes: C 64, 2 layers, 4 heads, 2 kv heads, F 128, context 256.
    public static let config = LlamaConfig(
        channels: 64, layers: 2, heads: 4, kvHeads: 2, feedForward: 128,
        vocabularySize: vocabulary.tokens.count, contextLength: 256, ropeBase: 10000, rmsEpsilon: 1e-5)

    /// The name stored as `general.name`.
    public static let name = "tiny-random-llama"

    /// SmolLM2-135M-Instruct's chat template, verbatim.
    public static let chatTemplate = """
        {% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system
        You are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>
        ' }}{% endif %}{{'<|im_start|>' + message['role'] + '
        ' + message['content'] + '<|im_end|>' + '
        '}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant
        ' }}{% endif %}
        """

    /// Writes the model to `path` (a new temporary file when `nil`) and returns the path.
    /// - Parameters:
    ///   - seed: seeds the random weights; the same seed writes the same file
    ///   - chatTemplate: the `tokenizer.chat_template` to store (`nil` stores none)
    @discardableResult
    public static func write(to path: String? = nil, seed: UInt64 = 42,
                             chatTemplate: String? = TinyModel.chatTemplate) throws -> String {
        let target = path ?? NSTemporaryDirectory() + "tiny-llama-\(UUID().uuidString).gguf"
        var writer = GGUFWriter()
        addMetadata(&writer, chatTemplate: chatTemplate)
        addTensors(&writer, seed: seed)
        try writer.write(to: target)
        return target
    }

    /// Writes a model with the tiny model's sizes, tokenizer and template but tensors of the
    /// caller's making (`tensors` adds every tensor ``write(to:seed:chatTemplate:)`` would).
    @discardableResult
    public static func write(to path: String? = nil, chatTemplate: String? = TinyModel.chatTemplate,
                             tensors: (inout GGUFWriter) -> Void) throws -> String {
        let target = path ?? NSTemporaryDirectory() + "tiny-llama-\(UUID().uuidString).gguf"
        var writer = GGUFWriter()
        addMetadata(&writer, chatTemplate: chatTemplate)
        tensors(&writer)
        try writer.write(to: target)
        return target
    }

    /// The token id of the byte-level token for `byte` (ids 0-2 are the control tokens).
    public static func tokenID(ofByte byte: UInt8) -> Int { 3 + Int(byte) }

    /// Byte-level tokens: three control tokens, the 256 byte characters, then merges.
    static let vocabulary: (tokens: [String], types: [Int32], merges: [String]) = {
        var tokens = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
        var types: [Int32] = [3, 3, 3]
        for byte in 0..<256 {
            tokens.append(String(Character(byteCharacter(UInt8(byte)))))
            types.append(1)
        }
        let merges = ["Ġ t", "h e", "Ġt he", "i n", "Ġ a", "e r", "o n", "r e", "a t", "Ġ s"]
        for merge in merges {
            tokens.append(merge.replacingOccurrences(of: " ", with: ""))
            types.append(1)
        }
        return (tokens, types, merges)
    }()

    /// GPT-2's byte → printable-character map (bytes_to_unicode).
    private static func byteCharacter(_ byte: UInt8) -> Unicode.Scalar {
        let printable = (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
        if printable { return Unicode.Scalar(byte) }
        let shifted = (0..<Int(byte)).filter { b in
            !((0x21...0x7E).contains(b) || (0xA1...0xAC).contains(b) || (0xAE...0xFF).contains(b))
        }.count
        return Unicode.Scalar(UInt32(0x100 + shifted)) ?? " "
    }

    private static func addMetadata(_ writer: inout GGUFWriter, chatTemplate: String?) {
        let c = config
        writer.set("general.architecture", .string("llama"))
        writer.set("general.name", .string(name))
        writer.set("llama.block_count", .uint32(UInt32(c.layers)))
        writer.set("llama.context_length", .uint32(UInt32(c.contextLength)))
        writer.set("llama.embedding_length", .uint32(UInt32(c.channels)))
        writer.set("llama.feed_forward_length", .uint32(UInt32(c.feedForward)))
        writer.set("llama.attention.head_count", .uint32(UInt32(c.heads)))
        writer.set("llama.attention.head_count_kv", .uint32(UInt32(c.kvHeads)))
        writer.set("llama.rope.freq_base", .float32(c.ropeBase))
        writer.set("llama.attention.layer_norm_rms_epsilon", .float32(c.rmsEpsilon))
        writer.set("tokenizer.ggml.model", .string("gpt2"))
        writer.set("tokenizer.ggml.pre", .string("smollm"))
        writer.set("tokenizer.ggml.tokens", .array(elementType: 8, values: vocabulary.tokens.map { .string($0) }))
        writer.set("tokenizer.ggml.token_type", .array(elementType: 5, values: vocabulary.types.map { .int32($0) }))
        writer.set("tokenizer.ggml.merges", .array(elementType: 8, values: vocabulary.merges.map { .string($0) }))
        writer.set("tokenizer.ggml.bos_token_id", .uint32(1))
        writer.set("tokenizer.ggml.eos_token_id", .uint32(2))
        writer.set("tokenizer.ggml.add_bos_token", .bool(false))
        if let chatTemplate { writer.set("tokenizer.chat_template", .string(chatTemplate)) }
    }

    private static func addTensors(_ writer: inout GGUFWriter, seed: UInt64) {
        let c = config
        var random = SeededGenerator(seed: seed)
        func values(_ count: Int, scale: Float) -> [Float] {
            (0..<count).map { _ in (random.nextUnit() * 2 - 1) * scale }
        }
        let ones = [Float](repeating: 1, count: c.channels)
        writer.addTensor("token_embd.weight", shape: [c.channels, c.vocabularySize],
                         values: values(c.channels * c.vocabularySize, scale: 1), as: .q8_0)
        writer.addTensor("output_norm.weight", shape: [c.channels], values: ones)
        for layer in 0..<c.layers {
            let prefix = "blk.\(layer)."
            let inScale = 1 / Float(c.channels).squareRoot(), downScale = 1 / Float(c.feedForward).squareRoot()
            writer.addTensor(prefix + "attn_norm.weight", shape: [c.channels], values: ones)
            writer.addTensor(prefix + "ffn_norm.weight", shape: [c.channels], values: ones)
            for (name, rows) in [("attn_q", c.channels), ("attn_k", c.kvDim), ("attn_v", c.kvDim),
                                 ("attn_output", c.channels), ("ffn_gate", c.feedForward), ("ffn_up", c.feedForward)] {
                writer.addTensor(prefix + name + ".weight", shape: [c.channels, rows],
                                 values: values(rows * c.channels, scale: 2 * inScale))
            }
            writer.addTensor(prefix + "ffn_down.weight", shape: [c.feedForward, c.channels],
                             values: values(c.channels * c.feedForward, scale: 2 * downScale))
        }
    }
}

"""Independent check of a student version's files with the reference Python readers
(`pip install gguf safetensors numpy`): `python3 check_exports.py students/s-0001`.
It parses model.gguf with gguf-py (llama.cpp's own GGUF library) and the safetensors with
Hugging Face's reader, and checks that the GGUF's q/k matrices are the Hugging Face ones
under llama.cpp's `permute` (within the Q8_0 rounding step) and every other matrix equal."""
import json
import sys

import numpy as np
from gguf import GGUFReader
from gguf.quants import dequantize
from safetensors.numpy import load_file


def main(directory):
    reader = GGUFReader(f"{directory}/model.gguf")
    field = lambda key: reader.fields[key].parts[-1]
    heads, kv_heads = int(field("llama.attention.head_count")[0]), int(field("llama.attention.head_count_kv")[0])
    tensors = {t.name: t for t in reader.tensors}
    merged = load_file(f"{directory}/model.safetensors")
    worst = 0.0
    for layer in range(int(field("llama.block_count")[0])):
        for gguf_name, hf_name, n in [("attn_q", "q_proj", heads), ("attn_k", "k_proj", kv_heads), ("attn_v", "v_proj", 0)]:
            tensor = tensors[f"blk.{layer}.{gguf_name}.weight"]
            hf = merged[f"model.layers.{layer}.self_attn.{hf_name}.weight"]
            values = dequantize(tensor.data, tensor.tensor_type).reshape(hf.shape)
            if n:
                hf = hf.reshape(n, 2, hf.shape[0] // n // 2, hf.shape[1]).swapaxes(1, 2).reshape(hf.shape)
            step = np.abs(values).max() / 127
            worst = max(worst, float(np.abs(values - hf).max() / step))
    print(json.dumps({"gguf_tensors": len(tensors), "merged_tensors": len(merged),
                      "worst_difference_in_q8_steps": round(worst, 3), "ok": worst <= 1.0}))
    try:
        adapter = load_file(f"{directory}/adapter_model.safetensors")
        config = json.load(open(f"{directory}/adapter_config.json"))
        print(json.dumps({"adapter_tensors": len(adapter), "r": config["r"], "lora_alpha": config["lora_alpha"],
                          "target_modules": config["target_modules"]}))
    except FileNotFoundError:
        print("no adapter (full fine-tuning)")


if __name__ == "__main__":
    main(sys.argv[1])

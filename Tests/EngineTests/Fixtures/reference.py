#!/usr/bin/env python3
"""Independent reference for the Swift engine: SmolLM2 tokenizer and forward pass in
numpy (float64), reading the GGUF through gguf-py 0.19.0 and its own dequantizers.

Writes reference.json beside this file: per prompt, the token ids, the top-10 logits at
the last position, and a greedy continuation with each step's top-2 margin.

    python3 -m venv .venv && .venv/bin/pip install numpy gguf==0.19.0 regex
    .venv/bin/python Tests/EngineTests/Fixtures/reference.py models/SmolLM2-135M-Instruct.Q4_1.gguf

Nothing here is shared with the Swift code: the pre-tokenizer is the `regex` module with
llama.cpp's smollm patterns, BPE is the textbook rank loop, dequantization is gguf-py's.
"""
import json
import os
import sys

import numpy as np
import regex
from gguf import GGUFReader
from gguf.quants import dequantize

DIGITS = regex.compile(r"\p{N}")
WORDS = regex.compile(r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+")
SYSTEM = "You are a helpful AI assistant named SmolLM, trained by Hugging Face"


def bytes_to_unicode():
    keep = list(range(0x21, 0x7F)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    table, extra = {}, 0
    for b in range(256):
        if b in keep:
            table[b] = chr(b)
        else:
            table[b] = chr(0x100 + extra)
            extra += 1
    return table


class Tokenizer:
    def __init__(self, reader):
        fields = reader.fields
        self.tokens = list(fields["tokenizer.ggml.tokens"].contents())
        self.ids = {t: i for i, t in enumerate(self.tokens)}
        merges = fields["tokenizer.ggml.merges"].contents()
        self.ranks = {tuple(m.split(" ", 1)): r for r, m in enumerate(merges)}
        self.byte_map = bytes_to_unicode()

    def bpe(self, word):
        parts = list(word)
        while len(parts) > 1:
            pairs = [(self.ranks.get((parts[i], parts[i + 1]), 1 << 30), i) for i in range(len(parts) - 1)]
            rank, i = min(pairs)
            if rank == 1 << 30:
                break
            parts[i:i + 2] = [parts[i] + parts[i + 1]]
        return [self.ids[p] for p in parts]

    def encode_text(self, text):
        pieces = []
        for chunk in regex.split(r"(\p{N})", text):
            if chunk:
                pieces += [chunk] if DIGITS.fullmatch(chunk) else WORDS.findall(chunk)
        out = []
        for piece in pieces:
            out += self.bpe("".join(self.byte_map[b] for b in piece.encode("utf-8")))
        return out

    def chat(self, messages):
        if messages[0]["role"] != "system":
            messages = [{"role": "system", "content": SYSTEM}] + messages
        ids = []
        for m in messages:
            ids += [self.ids["<|im_start|>"]] + self.encode_text(m["role"] + "\n" + m["content"])
            ids += [self.ids["<|im_end|>"]] + self.encode_text("\n")
        return ids + [self.ids["<|im_start|>"]] + self.encode_text("assistant\n")


class Model:
    def __init__(self, reader):
        f = reader.fields
        get = lambda k: f[k].contents()
        self.layers = get("llama.block_count")
        self.heads = get("llama.attention.head_count")
        self.kv_heads = get("llama.attention.head_count_kv")
        self.eps = get("llama.attention.layer_norm_rms_epsilon")
        self.base = get("llama.rope.freq_base")
        self.w = {}
        for t in reader.tensors:
            shape = [int(x) for x in reversed(t.shape)]  # numpy order: (rows, columns)
            self.w[t.name] = dequantize(t.data, t.tensor_type).astype(np.float64).reshape(shape)
        self.C = self.w["token_embd.weight"].shape[1]
        self.hd = self.C // self.heads

    def norm(self, x, name):
        return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + self.eps) * self.w[name]

    def rope(self, x, positions):  # x (T, H, hd), adjacent pairs
        i = np.arange(self.hd // 2)
        angle = positions[:, None] * self.base ** (-2.0 * i / self.hd)  # (T, hd/2)
        cos, sin = np.cos(angle)[:, None, :], np.sin(angle)[:, None, :]
        a, b = x[..., 0::2], x[..., 1::2]
        out = np.empty_like(x)
        out[..., 0::2] = a * cos - b * sin
        out[..., 1::2] = a * sin + b * cos
        return out

    def logits(self, ids):
        T = len(ids)
        x = self.w["token_embd.weight"][ids]
        pos = np.arange(T, dtype=np.float64)
        mask = np.triu(np.full((T, T), -np.inf), 1)
        group = self.heads // self.kv_heads
        for l in range(self.layers):
            p = f"blk.{l}."
            h = self.norm(x, p + "attn_norm.weight")
            q = (h @ self.w[p + "attn_q.weight"].T).reshape(T, self.heads, self.hd)
            k = (h @ self.w[p + "attn_k.weight"].T).reshape(T, self.kv_heads, self.hd)
            v = (h @ self.w[p + "attn_v.weight"].T).reshape(T, self.kv_heads, self.hd)
            q, k = self.rope(q, pos), self.rope(k, pos)
            k, v = np.repeat(k, group, axis=1), np.repeat(v, group, axis=1)
            s = np.einsum("thd,shd->hts", q, k) / np.sqrt(self.hd) + mask
            s = np.exp(s - s.max(-1, keepdims=True))
            s /= s.sum(-1, keepdims=True)
            att = np.einsum("hts,shd->thd", s, v).reshape(T, self.C)
            x = x + att @ self.w[p + "attn_output.weight"].T
            h = self.norm(x, p + "ffn_norm.weight")
            g, u = h @ self.w[p + "ffn_gate.weight"].T, h @ self.w[p + "ffn_up.weight"].T
            x = x + (g / (1 + np.exp(-g)) * u) @ self.w[p + "ffn_down.weight"].T
        last = self.norm(x[-1], "output_norm.weight")
        return self.w["token_embd.weight"] @ last


LONG = (
    "Summarize the following notes in two sentences.\n\n"
    "Retort is a local gateway that speaks the OpenAI chat completions protocol. Every request is forwarded "
    "to a teacher model, the answer is returned to the client, and the exchange is stored in a SQLite corpus. "
    "Users can rate answers, and the ratings become preference pairs. Periodically a small student model is "
    "fine-tuned on the logged answers with supervised learning, and on the preferences with DPO. When the "
    "student passes a quality gate on a held-out split it starts serving: first in shadow mode, where it runs "
    "in the background and never answers, then as a canary for a share of users, and finally for all traffic, "
    "with a fallback to the teacher whenever the request is beyond it, for example when tools or images are "
    "involved, when the answer would be cut off by the token limit, or when the student is not confident. "
    "The student runs on the CPU in Swift with OpenBLAS, loads a GGUF file, and decodes about a hundred tokens "
    "per second on two cores. The teacher bill shrinks while the quality holds, and every exchange records who "
    "served it and why."
)

PROMPTS = {
    "multi_turn": [
        {"role": "system", "content": "You are a concise assistant. Answer with one word when possible."},
        {"role": "user", "content": "What colour is the sky on a clear day?"},
        {"role": "assistant", "content": "Blue."},
        {"role": "user", "content": "And the grass?"},
    ],
    "unicode": [
        {"role": "user", "content": "Traduis en français : « naïve café » 👋🏽 — 日本語で「こんにちは」は? Ünïcödé test ✓"},
    ],
    "code_digits": [
        {"role": "user", "content": "def add(a, b):\n    return a + b\n\nWhat does add(1234, 5678) return? Don't explain."},
    ],
    "long": [{"role": "user", "content": LONG}],
}


def main():
    path = sys.argv[1]
    reader = GGUFReader(path)
    tokenizer, model = Tokenizer(reader), Model(reader)
    steps = int(os.environ.get("REFERENCE_STEPS", "10"))
    out = {"model": os.path.basename(path), "tolerance_logit": 0.01, "cases": {}}
    for name, messages in PROMPTS.items():
        ids = tokenizer.chat(messages)
        logits = model.logits(ids)
        top = np.argsort(-logits)[:10]
        greedy, margins, seq = [], [], list(ids)
        for step in range(steps):
            l = logits if step == 0 else model.logits(seq)
            order = np.argsort(-l)[:2]
            greedy.append(int(order[0]))
            margins.append(round(float(l[order[0]] - l[order[1]]), 4))
            if order[0] == 2:
                break
            seq.append(int(order[0]))
        out["cases"][name] = {
            "messages": messages,
            "ids": [int(i) for i in ids],
            "top_ids": [int(i) for i in top],
            "top_logits": [round(float(logits[i]), 4) for i in top],
            "greedy": greedy,
            "greedy_margins": margins,
        }
        print(name, len(ids), greedy, file=sys.stderr)
    target = os.path.join(os.path.dirname(os.path.abspath(__file__)), "reference.json")
    with open(target, "w") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()

"""Independent numpy reference for Retort's trainer (Tests/TrainingTests/ReferenceTrainingTests.swift).

A tiny Llama (tied embeddings, GQA, interleaved-pair RoPE, SwiGLU, RMSNorm) written from
the equations in float64: forward, masked cross-entropy normalised by the batch's target
tokens, a hand-written backward (checked here against finite differences with --check),
global-norm clipping, AdamW with decoupled decay on matrices, warm-up + cosine schedule.
It writes reference.json: the configuration, the initial weights (rounded to float32,
Hugging Face names), the batch, and the loss and gradient norm of 10 optimizer steps.

Run: python reference.py [--check]   (numpy only)
"""
import json
import math
import sys

import numpy as np

CONFIG = dict(channels=16, layers=2, heads=4, kv_heads=2, feed_forward=32, vocabulary=19,
              rope_base=10000.0, rms_epsilon=1e-5)
TRAINING = dict(peak=1e-2, warmup=2, total=10, beta1=0.9, beta2=0.999, epsilon=1e-8,
                weight_decay=0.1, max_norm=0.5, steps=10)
IGNORED = -100
BATCH = [
    dict(tokens=[1, 5, 9, 2, 7, 3, 11], targets=[IGNORED, IGNORED, 2, 7, 3, 11, 18]),
    dict(tokens=[4, 4, 13, 6, 0], targets=[IGNORED, 13, 6, 0, 18]),
]


def names():
    c = CONFIG
    yield "model.embed_tokens.weight", (c["vocabulary"], c["channels"])
    kv = c["kv_heads"] * c["channels"] // c["heads"]
    for l in range(c["layers"]):
        p = f"model.layers.{l}."
        yield p + "input_layernorm.weight", (1, c["channels"])
        yield p + "self_attn.q_proj.weight", (c["channels"], c["channels"])
        yield p + "self_attn.k_proj.weight", (kv, c["channels"])
        yield p + "self_attn.v_proj.weight", (kv, c["channels"])
        yield p + "self_attn.o_proj.weight", (c["channels"], c["channels"])
        yield p + "post_attention_layernorm.weight", (1, c["channels"])
        yield p + "mlp.gate_proj.weight", (c["feed_forward"], c["channels"])
        yield p + "mlp.up_proj.weight", (c["feed_forward"], c["channels"])
        yield p + "mlp.down_proj.weight", (c["channels"], c["feed_forward"])
    yield "model.norm.weight", (1, c["channels"])


def initial_weights():
    rng = np.random.default_rng(1234)
    weights = {}
    for name, shape in names():
        if name.endswith("norm.weight"):
            values = 1 + rng.uniform(-0.1, 0.1, size=shape[1])
        else:
            values = rng.uniform(-0.4, 0.4, size=shape)
        weights[name] = values.astype(np.float32).astype(np.float64)
    return weights


def rms_norm(x, w):
    r = 1 / np.sqrt((x * x).mean(-1, keepdims=True) + CONFIG["rms_epsilon"])
    return x * r * w, r


def rms_norm_backward(dy, x, w, r):
    dw = (dy * x * r).sum(0)
    dx = r * dy * w - r ** 3 / x.shape[-1] * x * (dy * w * x).sum(-1, keepdims=True)
    return dx, dw


def rope(x, heads, sign):
    """Rotates pairs (x[2i], x[2i+1]) of each head by sign·t·base^(-2i/hd)."""
    T = x.shape[0]
    hd = x.shape[1] // heads
    i = np.arange(hd // 2)
    angle = np.arange(T)[:, None] * CONFIG["rope_base"] ** (-2 * i / hd)[None, :]
    cos, sin = np.cos(angle)[:, None, :], sign * np.sin(angle)[:, None, :]
    pairs = x.reshape(T, heads, hd // 2, 2)
    a, b = pairs[..., 0], pairs[..., 1]
    return np.stack([a * cos - b * sin, a * sin + b * cos], -1).reshape(T, heads * hd)


def attention(q, k, v):
    c = CONFIG
    T, hd = q.shape[0], c["channels"] // c["heads"]
    group = c["heads"] // c["kv_heads"]
    mask = np.triu(np.ones((T, T), dtype=bool), 1)
    out, probabilities = np.zeros_like(q), []
    for h in range(c["heads"]):
        g = h // group
        qh, kg, vg = q[:, h * hd:(h + 1) * hd], k[:, g * hd:(g + 1) * hd], v[:, g * hd:(g + 1) * hd]
        s = qh @ kg.T / math.sqrt(hd)
        s[mask] = -np.inf
        p = np.exp(s - s.max(-1, keepdims=True))
        p /= p.sum(-1, keepdims=True)
        out[:, h * hd:(h + 1) * hd] = p @ vg
        probabilities.append(p)
    return out, probabilities


def attention_backward(dout, q, k, v, probabilities):
    c = CONFIG
    hd = c["channels"] // c["heads"]
    group = c["heads"] // c["kv_heads"]
    dq, dk, dv = np.zeros_like(q), np.zeros_like(k), np.zeros_like(v)
    for h in range(c["heads"]):
        g = h // group
        cols, kv_cols = slice(h * hd, (h + 1) * hd), slice(g * hd, (g + 1) * hd)
        p, do = probabilities[h], dout[:, cols]
        dv[:, kv_cols] += p.T @ do
        dp = do @ v[:, kv_cols].T
        ds = p * (dp - (p * dp).sum(-1, keepdims=True)) / math.sqrt(hd)
        dq[:, cols] = ds @ k[:, kv_cols]
        dk[:, kv_cols] += ds.T @ q[:, cols]
    return dq, dk, dv


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def forward_backward(w, tokens, targets, normalizer):
    """Σ target losses / normalizer of one sequence, and its gradient (dict like w)."""
    c = CONFIG
    tokens, targets = np.array(tokens), np.array(targets)
    emb = w["model.embed_tokens.weight"]
    x = emb[tokens]
    caches = []
    for l in range(c["layers"]):
        p = f"model.layers.{l}."
        n1, r1 = rms_norm(x, w[p + "input_layernorm.weight"])
        q = rope(n1 @ w[p + "self_attn.q_proj.weight"].T, c["heads"], 1)
        k = rope(n1 @ w[p + "self_attn.k_proj.weight"].T, c["kv_heads"], 1)
        v = n1 @ w[p + "self_attn.v_proj.weight"].T
        att, probabilities = attention(q, k, v)
        h = x + att @ w[p + "self_attn.o_proj.weight"].T
        n2, r2 = rms_norm(h, w[p + "post_attention_layernorm.weight"])
        gate, up = n2 @ w[p + "mlp.gate_proj.weight"].T, n2 @ w[p + "mlp.up_proj.weight"].T
        act = gate * sigmoid(gate) * up
        caches.append((x, n1, r1, q, k, v, att, probabilities, h, n2, r2, gate, up, act))
        x = h + act @ w[p + "mlp.down_proj.weight"].T
    nf, rf = rms_norm(x, w["model.norm.weight"])
    logits = nf @ emb.T
    rows = np.nonzero(targets != IGNORED)[0]
    z = logits[rows]
    z = z - z.max(-1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(-1, keepdims=True))
    loss = -logp[np.arange(len(rows)), targets[rows]].sum() / normalizer

    grads = {name: np.zeros_like(value) for name, value in w.items()}
    dlogits = np.zeros_like(logits)
    dlogits[rows] = np.exp(logp)
    dlogits[rows, targets[rows]] -= 1
    dlogits /= normalizer
    grads["model.embed_tokens.weight"] += dlogits.T @ nf
    dx, dwf = rms_norm_backward(dlogits @ emb, x, w["model.norm.weight"], rf)
    grads["model.norm.weight"] += dwf
    for l in reversed(range(c["layers"])):
        p = f"model.layers.{l}."
        (x_in, n1, r1, q, k, v, att, probabilities, h, n2, r2, gate, up, act) = caches[l]
        grads[p + "mlp.down_proj.weight"] += dx.T @ act
        dact = dx @ w[p + "mlp.down_proj.weight"]
        s = sigmoid(gate)
        dgate, dup = dact * up * s * (1 + gate * (1 - s)), dact * gate * s
        grads[p + "mlp.gate_proj.weight"] += dgate.T @ n2
        grads[p + "mlp.up_proj.weight"] += dup.T @ n2
        dn2 = dgate @ w[p + "mlp.gate_proj.weight"] + dup @ w[p + "mlp.up_proj.weight"]
        dh_norm, dw2 = rms_norm_backward(dn2, h, w[p + "post_attention_layernorm.weight"], r2)
        grads[p + "post_attention_layernorm.weight"] += dw2
        dh = dx + dh_norm
        grads[p + "self_attn.o_proj.weight"] += dh.T @ att
        datt = dh @ w[p + "self_attn.o_proj.weight"]
        dq, dk, dv = attention_backward(datt, q, k, v, probabilities)
        dq, dk = rope(dq, c["heads"], -1), rope(dk, c["kv_heads"], -1)
        grads[p + "self_attn.q_proj.weight"] += dq.T @ n1
        grads[p + "self_attn.k_proj.weight"] += dk.T @ n1
        grads[p + "self_attn.v_proj.weight"] += dv.T @ n1
        dn1 = (dq @ w[p + "self_attn.q_proj.weight"] + dk @ w[p + "self_attn.k_proj.weight"]
               + dv @ w[p + "self_attn.v_proj.weight"])
        dx_norm, dw1 = rms_norm_backward(dn1, x_in, w[p + "input_layernorm.weight"], r1)
        grads[p + "input_layernorm.weight"] += dw1
        dx = dh + dx_norm
    np.add.at(grads["model.embed_tokens.weight"], tokens, dx)
    return loss, grads


def batch_loss_and_gradient(w):
    normalizer = sum(sum(t != IGNORED for t in s["targets"]) for s in BATCH)
    total, grads = 0.0, {name: np.zeros_like(value) for name, value in w.items()}
    for s in BATCH:
        loss, g = forward_backward(w, s["tokens"], s["targets"], normalizer)
        total += loss
        for name in grads:
            grads[name] += g[name]
    return total, grads


def rate(step):
    t = TRAINING
    if step < t["warmup"]:
        return t["peak"] * step / t["warmup"]
    progress = min(1.0, (step - t["warmup"]) / (t["total"] - t["warmup"]))
    return t["peak"] * 0.5 * (1 + math.cos(math.pi * progress))


def train(w):
    t = TRAINING
    m = {name: np.zeros_like(v) for name, v in w.items()}
    v2 = {name: np.zeros_like(v) for name, v in w.items()}
    losses, norms = [], []
    for step in range(t["steps"]):
        loss, grads = batch_loss_and_gradient(w)
        norm = math.sqrt(sum((g * g).sum() for g in grads.values()))
        if norm > t["max_norm"]:
            for name in grads:
                grads[name] *= t["max_norm"] / (norm + 1e-6)
        lr, n = rate(step), step + 1
        for name in w:
            if not name.endswith("norm.weight"):  # decay on matrices only
                w[name] *= 1 - lr * t["weight_decay"]
            m[name] = t["beta1"] * m[name] + (1 - t["beta1"]) * grads[name]
            v2[name] = t["beta2"] * v2[name] + (1 - t["beta2"]) * grads[name] ** 2
            m_hat, v_hat = m[name] / (1 - t["beta1"] ** n), v2[name] / (1 - t["beta2"] ** n)
            w[name] -= lr * m_hat / (np.sqrt(v_hat) + t["epsilon"])
        losses.append(loss)
        norms.append(norm)
    return losses, norms


def check_gradient():
    w = initial_weights()
    _, grads = batch_loss_and_gradient(w)
    rng = np.random.default_rng(7)
    worst = 0.0
    for name, value in w.items():
        for _ in range(3):
            i = tuple(rng.integers(0, s) for s in value.shape)
            saved = value[i]
            value[i] = saved + 1e-6
            plus, _ = batch_loss_and_gradient(w)
            value[i] = saved - 1e-6
            minus, _ = batch_loss_and_gradient(w)
            value[i] = saved
            numeric = (plus - minus) / 2e-6
            worst = max(worst, abs(numeric - grads[name][i]) / max(1e-6, abs(numeric)))
    print(f"worst relative gradient error {worst:.2e}")
    assert worst < 1e-5


def main():
    if "--check" in sys.argv:
        check_gradient()
    w = initial_weights()
    initial = {name: [float(x) for x in value.ravel()] for name, value in w.items()}
    losses, norms = train(w)
    fixture = dict(config=CONFIG, training=TRAINING, batch=BATCH, weights=initial,
                   losses=losses, gradient_norms=norms)
    with open(__file__.replace("reference.py", "reference.json"), "w") as f:
        json.dump(fixture, f, indent=1)
    print("losses", " ".join(f"{x:.6f}" for x in losses))


if __name__ == "__main__":
    main()

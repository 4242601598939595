"""PyTorch CPU peer of org.svdd.bench.ModelThroughput for bench/model_throughput_vs_torch.sh (bench only).

The same two models as the committed ones, layer for layer (see diffusion/.../model/UNet2D.java,
SequenceTransformer.java, TimeEmbedding.java and tensor/.../nn/MultiHeadAttention.java), so the parameter counts
match exactly (the script asserts it):
  unet         UNet2D.Config.small(): 1 channel, 32x32, base 32, mults (1, 2, 2), 1 res block per level (one more
               up), attention at 8x8, GroupNorm 8 groups, 4 heads; Gaussian process, cosine schedule, T = 1000,
               eps-prediction MSE.
  transformer  SequenceTransformer.Config.small(4, 128): width 128, 4 pre-norm adaLN blocks, 4 heads, GELU (tanh) MLP
               x4; masked process, log-linear schedule, weighted masked cross-entropy.

Usage: torch_models.py unet|transformer [threads] [batch] [warmup] [runs]
Prints `torch <model> params <n>`, `torch <model> train <threads> wall <ms> cpu <ms> fwd <ms> bwd <ms> opt <ms>`
and `torch <model> sample <threads> wall <ms> cpu <ms>` (medians; cpu = process CPU time).
Debian's python3-torch 1.13 has no F.scaled_dot_product_attention, so attention is softmax(q k^T * scale) v.
"""
import math
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class TimeEmbedding(nn.Module):
    """Sinusoidal embedding of t * time_scale (sin half, then cos half), then Linear, SiLU, Linear."""

    def __init__(self, dim, out_dim, time_scale):
        super().__init__()
        self.dim, self.time_scale = dim, time_scale
        self.fc1 = nn.Linear(dim, out_dim)
        self.fc2 = nn.Linear(out_dim, out_dim)

    def forward(self, t):  # t (B) -> (B, out_dim)
        half = self.dim // 2
        freqs = torch.exp(-math.log(10000) * torch.arange(half, dtype=torch.float64) / half)
        a = t.to(torch.float64)[:, None] * self.time_scale * freqs[None, :]
        emb = torch.cat([torch.sin(a), torch.cos(a)], dim=1).to(self.fc1.weight.dtype)  # float32, or float64 for parity
        return self.fc2(F.silu(self.fc1(emb)))


class MultiHeadAttention(nn.Module):
    """Fused q/k/v projection (D -> 3D: q, k, v blocks, heads contiguous in each), attention, out projection."""

    def __init__(self, dim, heads):
        super().__init__()
        self.dim, self.heads = dim, heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.out = nn.Linear(dim, dim)

    def forward(self, x):  # x (B, S, D) -> (B, S, D)
        b, s, _ = x.shape
        hd = self.dim // self.heads
        q, k, v = self.qkv(x).reshape(b, s, 3, self.heads, hd).permute(2, 0, 3, 1, 4)  # each (B, H, S, hd)
        p = torch.softmax(q @ k.transpose(-2, -1) * (1 / math.sqrt(hd)), dim=-1)
        y = p @ v                                                                      # (B, H, S, hd)
        return self.out(y.permute(0, 2, 1, 3).reshape(b, s, self.dim))


class ResBlock(nn.Module):
    def __init__(self, cin, cout, tdim, groups):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, cin)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.time = nn.Linear(tdim, cout)
        self.norm2 = nn.GroupNorm(groups, cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = None if cin == cout else nn.Conv2d(cin, cout, 1)

    def forward(self, x, temb):  # x (B, in, H, W), temb (B, tdim) -> (B, out, H, W)
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.time(F.silu(temb))[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        return (x if self.skip is None else self.skip(x)) + h


class AttnBlock(nn.Module):
    def __init__(self, ch, groups, heads):
        super().__init__()
        self.norm = nn.GroupNorm(groups, ch)
        self.attn = MultiHeadAttention(ch, heads)

    def forward(self, x):
        b, c, h, w = x.shape
        seq = self.norm(x).reshape(b, c, h * w).permute(0, 2, 1)  # (B, HW, C)
        y = self.attn(seq).permute(0, 2, 1).reshape(b, c, h, w)
        return x + y


class UNet2D(nn.Module):
    def __init__(self, channels=1, image_size=32, base=32, mults=(1, 2, 2), res_blocks=1, attn_res=(8,), groups=8, heads=4):
        super().__init__()
        tdim = 4 * base
        self.time = TimeEmbedding(base, tdim, 1.0)
        self.inc = nn.Conv2d(channels, base, 3, padding=1)
        skips = [base]
        ch, res = base, image_size
        self.down = nn.ModuleList()
        for lvl, m in enumerate(mults):
            out = base * m
            level = nn.Module()
            level.res, level.attn = nn.ModuleList(), nn.ModuleList()
            for _ in range(res_blocks):
                level.res.append(ResBlock(ch, out, tdim, groups))
                ch = out
                if res in attn_res:
                    level.attn.append(AttnBlock(ch, groups, heads))
                skips.append(ch)
            level.resample = None
            if lvl + 1 < len(mults):
                level.resample = nn.Conv2d(ch, ch, 3, stride=2, padding=1)
                skips.append(ch)
                res //= 2
            self.down.append(level)
        self.mid1 = ResBlock(ch, ch, tdim, groups)
        self.mid_attn = AttnBlock(ch, groups, heads)
        self.mid2 = ResBlock(ch, ch, tdim, groups)
        self.up = nn.ModuleList()
        for lvl in reversed(range(len(mults))):
            out = base * mults[lvl]
            level = nn.Module()
            level.res, level.attn = nn.ModuleList(), nn.ModuleList()
            for _ in range(res_blocks + 1):
                level.res.append(ResBlock(ch + skips.pop(), out, tdim, groups))
                ch = out
                if res in attn_res:
                    level.attn.append(AttnBlock(ch, groups, heads))
            level.resample = None
            if lvl > 0:
                level.resample = nn.Conv2d(ch, ch, 3, padding=1)
                res *= 2
            self.up.append(level)
        self.out_norm = nn.GroupNorm(groups, ch)
        self.out_conv = nn.Conv2d(ch, channels, 3, padding=1)

    def forward(self, x, t):  # x_t (B, C, S, S), t (B) step indices -> eps (B, C, S, S)
        temb = self.time(t)
        h = self.inc(x)
        skips = [h]
        for level in self.down:
            for r, block in enumerate(level.res):
                h = block(h, temb)
                if len(level.attn):
                    h = level.attn[r](h)
                skips.append(h)
            if level.resample is not None:
                h = level.resample(h)
                skips.append(h)
        h = self.mid2(self.mid_attn(self.mid1(h, temb)), temb)
        for level in self.up:
            for r, block in enumerate(level.res):
                h = block(torch.cat([h, skips.pop()], dim=1), temb)
                if len(level.attn):
                    h = level.attn[r](h)
            if level.resample is not None:
                h = level.resample(F.interpolate(h, scale_factor=2, mode="nearest"))
        return self.out_conv(F.silu(self.out_norm(h)))


class Block(nn.Module):
    """Pre-norm block with adaLN: LayerNorms without affine, modulated by (shift, scale) from the time."""

    def __init__(self, dim, heads, mlp_ratio):
        super().__init__()
        self.ln1 = nn.LayerNorm(dim, elementwise_affine=False)
        self.attn = MultiHeadAttention(dim, heads)
        self.ln2 = nn.LayerNorm(dim, elementwise_affine=False)
        self.fc1 = nn.Linear(dim, mlp_ratio * dim)
        self.fc2 = nn.Linear(mlp_ratio * dim, dim)
        self.ada = nn.Linear(dim, 4 * dim)

    def forward(self, x, temb):  # x (B, L, D), temb (B, D)
        shift1, scale1, shift2, scale2 = self.ada(F.silu(temb)).unsqueeze(1).chunk(4, dim=2)  # each (B, 1, D)
        x = x + self.attn(self.ln1(x) * (scale1 + 1) + shift1)
        h = self.ln2(x) * (scale2 + 1) + shift2
        return x + self.fc2(F.gelu(self.fc1(h), approximate="tanh"))


class SequenceTransformer(nn.Module):
    def __init__(self, vocab=4, length=128, dim=128, layers=4, heads=4, mlp_ratio=4, conv_kernel=9):
        super().__init__()
        self.tokens = nn.Embedding(vocab + 1, dim)
        self.positions = nn.Embedding(length, dim)
        self.conv = nn.Conv1d(dim, dim, conv_kernel, padding=conv_kernel // 2) if conv_kernel else None
        self.time = TimeEmbedding(dim, dim, 1000.0)
        self.blocks = nn.ModuleList(Block(dim, heads, mlp_ratio) for _ in range(layers))
        self.ln_out = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, vocab)
        self.register_buffer("position_ids", torch.arange(length), persistent=False)

    def forward(self, xt, t):  # x_t (B, L) ids with MASK = vocab, t (B) in [0, 1] -> logits (B, L, vocab)
        temb = self.time(t)
        h = self.tokens(xt) + self.positions(self.position_ids)  # (B, L, D)
        if self.conv is not None:
            h = h + self.conv(h.transpose(1, 2)).transpose(1, 2)
        for block in self.blocks:
            h = block(h, temb)
        return self.head(self.ln_out(h))


def cosine_alpha_bar(steps=1000, s=0.008):
    """BetaSchedule.cosine: beta_t = min(1 - f(t+1)/f(t), 0.999), alphaBar = cumprod(1 - beta), in double."""
    f = lambda u: math.cos((u + s) / (1 + s) * math.pi / 2) ** 2
    betas = torch.tensor([min(1 - f((t + 1) / steps) / f(t / steps), 0.999) for t in range(steps)], dtype=torch.float64)
    return torch.cumprod(1 - betas, dim=0)


class Gaussian:
    """GaussianProcess.loss: t ~ U{0..T-1}, eps ~ N(0, I), x_t = sqrt(ab) x0 + sqrt(1 - ab) eps, MSE(eps_theta, eps)."""

    def __init__(self, net, batch):
        self.net = net
        self.alpha_bar = cosine_alpha_bar()
        self.x0 = torch.rand(batch, 1, 32, 32) * 2 - 1
        self.xt = torch.randn(batch, 1, 32, 32)
        self.t = torch.randint(0, 1000, (batch,)).float()

    def loss(self):
        b = self.x0.shape[0]
        t = torch.randint(0, 1000, (b,))
        eps = torch.randn_like(self.x0)
        with torch.no_grad():
            ab = self.alpha_bar[t].float().reshape(b, 1, 1, 1)
            xt = ab.sqrt() * self.x0 + (1 - ab).sqrt() * eps
        return F.mse_loss(self.net(xt, t.float()), eps)

    def denoise(self):
        return self.net(self.xt, self.t)


class Masked:
    """MaskedProcess.loss: stratified t, mask with prob (1 - 1e-3) t, sum of w(t) CE at masked positions / (B L)."""

    def __init__(self, net, batch, vocab=4, length=128, eps=1e-3):
        self.net, self.vocab, self.eps = net, vocab, eps
        self.x0 = torch.randint(0, vocab, (batch, length))
        self.xt = torch.where(torch.rand(batch, length) < (1 - eps) * 0.5, torch.full_like(self.x0, vocab), self.x0)
        self.t = torch.full((batch,), 0.5)

    def loss(self):
        b, l = self.x0.shape
        t = (1e-3 + (1 - 1e-3) * ((torch.rand(()).double() + torch.arange(b, dtype=torch.float64) / b) % 1.0))
        masked = torch.rand(b, l, dtype=torch.float64) < ((1 - self.eps) * t)[:, None]
        xt = torch.where(masked, torch.full_like(self.x0, self.vocab), self.x0)
        sigma = -torch.log1p(-(1 - self.eps) * t)
        w = ((1 - self.eps) / (1 - (1 - self.eps) * t) / torch.expm1(sigma)).float()
        logits = self.net(xt, t.float())
        nll = F.cross_entropy(logits.reshape(b * l, self.vocab), self.x0.reshape(b * l), reduction="none").reshape(b, l)
        return (nll * masked.float() * w[:, None]).sum() / (b * l)

    def denoise(self):
        return self.net(self.xt, self.t)


def subject(name, batch):
    if name == "unet":
        net = UNet2D()
        return net, Gaussian(net, batch), 2e-3
    if name == "transformer":
        net = SequenceTransformer()
        return net, Masked(net, batch), 1e-3
    raise SystemExit(f"model must be unet or transformer, got {name}")


def main():
    name = sys.argv[1] if len(sys.argv) > 1 else "unet"
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    batch = int(sys.argv[3]) if len(sys.argv) > 3 else 64
    warmup = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    runs = int(sys.argv[5]) if len(sys.argv) > 5 else 5
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    net, proc, lr = subject(name, batch)
    print(f"torch {name} params {sum(p.numel() for p in net.parameters())}")
    print(f"torch {name} threads {torch.get_num_threads()} batch {batch} mkldnn {torch.backends.mkldnn.is_available()}")
    if runs == 0:
        return
    opt = torch.optim.AdamW(net.parameters(), lr=lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)
    net.train()
    rows = []
    for i in range(warmup + runs):
        w0, c0 = time.perf_counter(), time.process_time()
        opt.zero_grad(set_to_none=True)
        loss = proc.loss()
        w1 = time.perf_counter()
        loss.backward()
        w2 = time.perf_counter()
        opt.step()
        l = loss.item()
        w3, c3 = time.perf_counter(), time.process_time()
        if not math.isfinite(l):
            raise SystemExit(f"loss became {l}")
        if i >= warmup:
            rows.append(((w3 - w0) * 1e3, (c3 - c0) * 1e3, (w1 - w0) * 1e3, (w2 - w1) * 1e3, (w3 - w2) * 1e3))
    med = [statistics.median(c) for c in zip(*rows)]
    print(f"torch {name} train {threads} wall {med[0]:.3f} cpu {med[1]:.3f} fwd {med[2]:.3f} bwd {med[3]:.3f} opt {med[4]:.3f}")
    net.eval()
    rows = []
    with torch.no_grad():
        for i in range(warmup + runs):
            w0, c0 = time.perf_counter(), time.process_time()
            proc.denoise().reshape(-1)[0].item()
            w1, c1 = time.perf_counter(), time.process_time()
            if i >= warmup:
                rows.append(((w1 - w0) * 1e3, (c1 - c0) * 1e3))
    med = [statistics.median(c) for c in zip(*rows)]
    print(f"torch {name} sample {threads} wall {med[0]:.3f} cpu {med[1]:.3f}")


if __name__ == "__main__":
    main()

"""PyTorch CPU peer of `svdd compare --methods svdd-pm` on a committed DNA masked transformer (bench only).

The same job as ours, on the same weights (loaded into bench/torch_models.SequenceTransformer by torch_parity's
load_checkpoint): SVDD with the posterior-mean value (SVDD-PM), alpha = 0, B chains x M candidates per step in one
batch, and the TBP motif reward. What it copies, and from where:
  process    MaskedProcess, MDLM's absorbing-state process over A, C, G, T (0..3) and MASK = 4; log-linear schedule
             m(t) = (1 - eps) t, eps = 1e-3; steps S on the grid t_i = 1 - (1 - tMin) i / S, tMin = 1e-5 (the
             sampler's defaults). The denoiser gets t_i as float32.
  step i     logits on x_t at t_i; at masked positions x_s ~ q(k) ∝ p_theta(k) (m_t - m_s) for real k and
             q(MASK) ∝ m_s (Gumbel-max over log q), unmasked positions copied; M independent draws per chain. At the
             last step (s = tMin) the positions still masked take argmax p_theta of that pass.
  value      Samplers.svdd with ValueEstimator.posteriorMean: one denoiser pass on the B*M candidates at t_{i+1}; x0_hat
             = argmax of the logits at masked positions, the rest copied; value = reward(x0_hat). After the last step
             the candidates are clean and are scored as they are (no pass).
  selection  Selection(0): the first candidate with the highest value (torch.argmax returns the first maximum).
  reuse      the kept candidate's pass (its logits at t_{i+1}) is the next step's pass: M rows a step per chain, plus
             the one pass at the prior; rows per sample 1 + M (S - 1). M = 1 is the plain sampler (no scoring).
  reward     MotifReward: log2-odds PWM of the JASPAR counts (pseudocount 0.8, uniform background), best score over
             every window and both strands (the reverse complement matrix), MASK contributing 0: one float64 conv1d of
             the one-hot batch with the two (4, W) matrices and a max. The motif is looked up as RewardSpec does:
             pfm_vertebrates.txt, then jaspar-insecta.jaspar, each from $SVDD_DATA, PWMEnrich's folder, else the
             copy in diffusion/src/main/resources.
Not the same: the random numbers (torch's generator, not org.svdd.tensor.Rng), so samples and rewards agree in
distribution, not bit for bit.

Usage (from anywhere; Debian's /usr/bin/python3 with python3-torch):
  torch_svdd_pm.py [--checkpoint models/dna-transformer.safetensors] [-n 16] [-M 10] [--steps 32] [--threads 1]
                   [--seed 0] [--runs 1] [--batch n] [--motif TBP]
      runs the sampler --runs times (seeds seed, seed+1, ...), each timed from the prior to the kept samples (as
      compare's seconds_per_seed: the final scoring of the samples is not in it), and prints per run
      `torch svdd-pm n <n> M <M> steps <S> threads <T> wall_s <s> samples_per_s <x> median_reward <r>
       denoiser_rows_per_sample <k>`
  torch_svdd_pm.py --write-check-fasta FILE     fixed DNA sequences (seeded, plus motif sites) for the reward check
  torch_svdd_pm.py --check-scores FASTA CSV     scores FASTA here and compares with CSV (id,score from
      `svdd score --reward motif:TBP FASTA --out CSV`); prints `torch reward check sequences <k> max_abs_diff <d>`
      and exits 1 when d >= 1e-4
"""
import argparse
import math
import os
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_parity import ROOT, load_checkpoint  # noqa: E402

BASES = "ACGT"
MASK_EPS = 1e-3                  # MaskSchedule.logLinear()
T_MIN = 1e-5                     # MaskedProcess.SamplerConfig.defaults()
PSEUDOCOUNT = 0.8                # MotifReward
MOTIF_FILES = ("pfm_vertebrates.txt", "jaspar-insecta.jaspar")   # RewardSpec.motif: vertebrates first
PWMENRICH = "/usr/lib/R/site-library/PWMEnrich/extdata"
JAR_COPY = os.path.join(ROOT, "diffusion", "src", "main", "resources", "org", "svdd", "diffusion", "data", "jaspar")


# ---------------------------------------------------------------------------------------------------- the reward
def locate(name):
    """MotifFile.load: $SVDD_DATA/<name>, else PWMEnrich's installed copy, else the copy shipped in the jar."""
    for d in (os.environ.get("SVDD_DATA"), PWMENRICH, JAR_COPY):
        if d and os.path.isfile(os.path.join(d, name)):
            return os.path.join(d, name)
    raise SystemExit(f"no motif file {name}")


def read_motifs(path):
    """{name: counts (W, 4)} of a JASPAR file ('>ID NAME' then rows A, C, G, T, bare or as 'A [ ... ]'); first wins."""
    motifs, name, rows = {}, None, []

    def close():
        if name is not None and name not in motifs:
            motifs[name] = np.array(rows, dtype=np.float64).T
    with open(path, encoding="latin-1") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            if line.startswith(">"):
                close()
                head = line[1:].split(None, 1)
                name, rows = (head[1] if len(head) > 1 else ""), []
            else:
                if line[0].isalpha():
                    line = line[1:].strip()
                rows.append([float(v) for v in line.strip("[]").split()])
    close()
    return motifs


def motif_counts(name):
    for fname in MOTIF_FILES:
        m = read_motifs(locate(fname))
        if name in m:
            return m[name]
    raise SystemExit(f"no JASPAR motif named {name}")


class MotifReward:
    """Best log2-odds score over windows and both strands: conv1d of the one-hot (N, 4, L) with (2, 4, W), then max."""

    def __init__(self, counts):
        p = (counts + PSEUDOCOUNT) / (counts.sum(axis=1, keepdims=True) + 4 * PSEUDOCOUNT)
        pwm = np.log(p / 0.25) / np.log(2)                                   # (W, 4), in double as MotifFile
        fwd = pwm.T                                                           # [base][position]
        rev = pwm[::-1, ::-1].T                                               # rev[c][j] = pwm[W-1-j][3-c]
        self.width = pwm.shape[0]
        self.filters = torch.from_numpy(np.ascontiguousarray(np.stack([fwd, rev])))   # (2, 4, W) float64

    def __call__(self, x):  # x (N, L) int64 ids, MASK (or any id >= 4) scores 0 -> (N,) float64
        onehot = F.one_hot(x.clamp(max=4), 5)[:, :, :4].to(torch.float64).transpose(1, 2)   # (N, 4, L)
        return F.conv1d(onehot, self.filters).flatten(1).amax(1)


# ---------------------------------------------------------------------------------------------------- the sampler
def time_at(i, steps):
    return 1 - (1 - T_MIN) * i / steps


def denoise(net, x, t):
    return net(x, torch.full((x.shape[0],), t, dtype=torch.float32))      # (B, L, V) logits


def reverse_draws(logits, x, t, s, k, last, mask, gen):
    """k draws of x_s per row of x_t (B, L) from the pass's logits (B, L, V): (B*k, L), row b's at b*k .. b*k+k-1."""
    logp = torch.log_softmax(logits, -1)
    mt, ms = (1 - MASK_EPS) * t, (1 - MASK_EPS) * s
    logq = torch.cat([logp + math.log(mt - ms), torch.full_like(logp[..., :1], math.log(ms))], -1)  # (B, L, V+1)
    logq = logq.repeat_interleave(k, 0)
    u = torch.rand(logq.shape, generator=gen).clamp_(min=1e-30)
    draw = (logq - torch.log(-torch.log(u))).argmax(-1)                                # Gumbel-max
    xt = x.repeat_interleave(k, 0)
    xs = torch.where(xt == mask, draw, xt)
    if last:                                                                          # remaining masks: argmax
        x0 = torch.where(x == mask, logp.argmax(-1), x).repeat_interleave(k, 0)
        xs = torch.where(xs == mask, x0, xs)
    return xs


def svdd_pm(net, reward, batch, m, steps, length, mask, gen):
    """(samples (batch, L), denoiser rows run). B chains x M candidates per step, one batch."""
    x = torch.full((batch, length), mask, dtype=torch.int64)
    logits = denoise(net, x, time_at(0, steps))
    rows = batch
    for i in range(steps):
        last = i + 1 >= steps
        cands = reverse_draws(logits, x, time_at(i, steps), time_at(i + 1, steps), m, last, mask, gen)   # (B*M, L)
        if m == 1:                                           # the plain sampler: nothing to score, a fresh pass
            x = cands
            if not last:
                logits = denoise(net, x, time_at(i + 1, steps))
                rows += batch
            continue
        if last:                                             # clean: x0_hat is the candidate itself
            cand_logits, x0 = None, cands
        else:
            cand_logits = denoise(net, cands, time_at(i + 1, steps))
            rows += batch * m
            x0 = torch.where(cands == mask, cand_logits.argmax(-1), cands)
        values = reward(x0).view(batch, m)
        keep = torch.arange(batch) * m + values.argmax(1)
        x = cands[keep]
        if not last:
            logits = cand_logits[keep]                       # the kept candidate's pass is the next step's
    return x, rows


# ---------------------------------------------------------------------------------------------------- checks
def read_fasta(path):
    ids, seqs = [], []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith(">"):
                ids.append(line[1:].split()[0] if line[1:].split() else "")
                seqs.append("")
            elif line:
                seqs[-1] += line
    return ids, seqs


def encode(seqs):
    return torch.tensor([[BASES.index(c) for c in s.upper()] for s in seqs], dtype=torch.int64)


def write_check_fasta(path, length=128):
    """Seeded random sequences, some with TATA-box sites planted on either strand, and a few degenerate ones."""
    rng = np.random.default_rng(7)
    seqs = ["".join(rng.choice(list(BASES), length)) for _ in range(24)]
    sites = ["TATAAAAG", "CTTTTATA", "GTATAAAAGGCGCG", "TTTTATATACCCCC", "TATATATATATATA"]
    for j, site in enumerate(sites * 3):
        s = list(seqs[j])
        p = int(rng.integers(0, length - len(site) + 1)) if j >= len(sites) else [0, length - len(site), 57, 3, 100][j]
        s[p:p + len(site)] = site
        seqs[j] = "".join(s)
    seqs += ["A" * length, "T" * length, "ACGT" * (length // 4), "TATA" * (length // 4)]
    with open(path, "w") as f:
        for j, s in enumerate(seqs):
            f.write(f">seq{j}\n{s}\n")


def check_scores(fasta, csv, motif):
    ids, seqs = read_fasta(fasta)
    ours = {}
    with open(csv) as f:
        for line in f:
            parts = line.strip().split(",")
            if len(parts) < 2 or parts[0] == "id":
                continue
            ours[parts[0]] = float(parts[1])
    mine = MotifReward(motif_counts(motif))(encode(seqs)).numpy()
    missing = [i for i in ids if i not in ours]
    if missing:
        raise SystemExit(f"{csv} has no score for {missing[:5]}")
    diff = max(abs(mine[j] - ours[i]) for j, i in enumerate(ids))
    print(f"torch reward check sequences {len(ids)} max_abs_diff {diff:.3g} "
          f"(scores {mine.min():.3f} .. {mine.max():.3f})")
    if not diff < 1e-4:
        raise SystemExit("torch reward check: the motif rewards differ")


# ---------------------------------------------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--checkpoint", default="models/dna-transformer.safetensors")
    ap.add_argument("-n", type=int, default=16)
    ap.add_argument("-M", type=int, default=10)
    ap.add_argument("--steps", type=int, default=32)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--batch", type=int, default=None, help="chains per batch (default n: all in one, as compare)")
    ap.add_argument("--motif", default="TBP")
    ap.add_argument("--write-check-fasta", metavar="FILE")
    ap.add_argument("--check-scores", nargs=2, metavar=("FASTA", "CSV"))
    a = ap.parse_args()
    if a.write_check_fasta:
        write_check_fasta(a.write_check_fasta)
        return
    if a.check_scores:
        check_scores(*a.check_scores, a.motif)
        return
    if a.n < 1 or a.M < 1 or a.steps < 1 or a.threads < 1 or a.runs < 1:
        raise SystemExit("-n, -M, --steps, --threads and --runs must be >= 1")
    torch.set_num_threads(a.threads)
    path = a.checkpoint if os.path.isabs(a.checkpoint) or os.path.exists(a.checkpoint) else os.path.join(ROOT, a.checkpoint)
    net, meta = load_checkpoint(path)
    if meta["kind"] not in ("DNA_TRANSFORMER", "MASKED_TRANSFORMER") or int(meta["transformer.vocab"]) != 4:
        raise SystemExit(f"{path}: not a DNA masked transformer (kind {meta['kind']})")
    vocab, length = int(meta["transformer.vocab"]), int(meta["transformer.length"])
    reward = MotifReward(motif_counts(a.motif))
    if length < reward.width:
        raise SystemExit(f"sequences of length {length} are shorter than the motif ({reward.width})")
    batch = a.batch or a.n
    print(f"torch svdd-pm threads {torch.get_num_threads()} mkldnn {torch.backends.mkldnn.is_available()} "
          f"conv_kernel {meta.get('transformer.convKernel', '0')} batch {batch} motif {a.motif} width {reward.width}")
    with torch.no_grad():
        for k in range(a.runs):
            gen = torch.Generator().manual_seed(a.seed + k)
            t0 = time.perf_counter()
            parts, rows = [], 0
            for start in range(0, a.n, batch):
                x, r = svdd_pm(net, reward, min(batch, a.n - start), a.M, a.steps, length, vocab, gen)
                parts.append(x)
                rows += r
            wall = time.perf_counter() - t0
            rewards = reward(torch.cat(parts)).numpy()
            print(f"torch svdd-pm n {a.n} M {a.M} steps {a.steps} threads {a.threads} wall_s {wall:.3f} "
                  f"samples_per_s {a.n / wall:.4f} median_reward {statistics.median(rewards.tolist()):.4f} "
                  f"denoiser_rows_per_sample {rows / a.n:g}", flush=True)


if __name__ == "__main__":
    main()

"""PyTorch CPU peer timings for bench/conv_attention_vs_torch.sh (bench only; never part of the product).

Prints one line per shape: `torch <name> <median ms>`; shapes match ConvTiming and AttentionTiming.
Debian's python3-torch 1.13 has no F.scaled_dot_product_attention, so attention is the standard
softmax(q k^T * scale) v composition that 1.13 users write.
"""
import statistics
import sys
import time

import torch
import torch.nn.functional as F


def median_ms(fn, warmup=3, runs=10):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def main():
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    with torch.no_grad():
        x = torch.randn(64, 32, 32, 32)
        w = torch.randn(64, 32, 3, 3)
        print(f"torch conv2d {median_ms(lambda: F.conv2d(x, w, padding=1)):.3f}")
        q, k, v = (torch.randn(32, 4, 200, 64) for _ in range(3))
        scale = 64 ** -0.5

        def attention():
            p = torch.softmax(q @ k.transpose(-2, -1) * scale, dim=-1)
            return p @ v

        print(f"torch attention {median_ms(attention):.3f}")
    print(f"torch threads {torch.get_num_threads()} mkldnn {torch.backends.mkldnn.is_available()}")


if __name__ == "__main__":
    main()

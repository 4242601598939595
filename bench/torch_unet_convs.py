"""PyTorch CPU peer of org.svdd.bench.UNetConvLayers (bench only): every convolution of the small UNet at batch 64.

The layers are read off bench/torch_models.py's UNet2D with forward hooks (so they are the model's own), grouped by
shape with their count in one forward pass, and each is timed alone: the forward, and forward + backward (input and
weight gradients). Prints one line per layer and the totals with the counts applied; median of 7 runs after 3.

Usage: OMP_NUM_THREADS=1 /usr/bin/python3 bench/torch_unet_convs.py [threads]
"""
import collections
import importlib.util
import os
import sys
import time

import torch

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("torch_models", os.path.join(here, "torch_models.py"))
torch_models = importlib.util.module_from_spec(spec)
spec.loader.exec_module(torch_models)


def median_ms(body, runs=7, warmup=3):
    times = []
    for i in range(warmup + runs):
        t0 = time.perf_counter()
        body()
        if i >= warmup:
            times.append((time.perf_counter() - t0) * 1000)
    return sorted(times)[runs // 2]


def main():
    torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
    net = torch_models.UNet2D()
    layers = collections.Counter()

    def hook(module, inputs, output):
        layers[(tuple(inputs[0].shape), module.out_channels, module.kernel_size[0], module.stride[0], module.padding[0])] += 1

    for m in net.modules():
        if isinstance(m, torch.nn.Conv2d):
            m.register_forward_hook(hook)
    with torch.no_grad():
        net(torch.randn(64, 1, 32, 32), torch.randint(0, 1000, (64,)))
    total_fwd = total_all = 0.0
    for (shape, o, k, s, p), count in layers.items():
        x = torch.randn(*shape, requires_grad=True)
        w = torch.randn(o, shape[1], k, k, requires_grad=True)
        g = torch.randn_like(torch.nn.functional.conv2d(x, w, None, s, p))
        fwd = median_ms(lambda: torch.nn.functional.conv2d(x, w, None, s, p))
        both = median_ms(lambda: torch.nn.functional.conv2d(x, w, None, s, p).backward(g))
        total_fwd += count * fwd
        total_all += count * both
        print(f"torch conv x{shape} o={o} k={k} s={s} x{count}: fwd {fwd:.2f} ms, fwd+bwd {both:.2f}")
    print(f"torch total (counts applied): fwd {total_fwd:.1f} ms, fwd+bwd {total_all:.1f}")


if __name__ == "__main__":
    main()

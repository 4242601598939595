"""Whole-model parity fixtures: the committed checkpoints run through their PyTorch twins in bench/torch_models.py.

Usage: python3 bench/torch_parity.py      (from the repository root; Debian's /usr/bin/python3 with
       apt-get install python3-torch; no other package: safetensors files are read and written here with json + numpy)

Regenerates diffusion/src/test/resources/parity/<name>.safetensors, which TorchParityTest reads:
  unet              models/fashion-unet.safetensors          x (2, 1, 32, 32) F32 ~ N(0, 1), t (2) F32 step indices
  transformer       models/dna-transformer.safetensors       x (2, 128) I64 ids, MASK = 4 at positions drawn with
  transformer-conv  models/dna-transformer-conv.safetensors  probability t; t (2) F32 times in [0, 1]
Each file holds x, t, out (F32: PyTorch's float32 forward) and out64 (F64: the same weights and inputs run in float64,
the function the float32 forwards round), and metadata naming the checkpoint and its SHA-256, the torch version and
this command. Weights are the checkpoint's EMA ("ema.*", else "model.*"), mapped to the torch names below; every tensor
must be used and every shape must match. Inputs are seeded, so a rerun writes the same x and t.
"""
import hashlib
import json
import os
import struct
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_models import SequenceTransformer, UNet2D  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, "diffusion", "src", "test", "resources", "parity")
COMMAND = "python3 bench/torch_parity.py"
DTYPES = {"F32": np.float32, "F64": np.float64, "I32": np.int32, "I64": np.int64}


def read_safetensors(path):
    """{name: ndarray}, metadata: the format of org.svdd.tensor.io.Safetensors (u64 header length, JSON, data)."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    meta = header.pop("__metadata__", {})
    tensors = {}
    for name, e in header.items():
        begin, end = e["data_offsets"]
        tensors[name] = np.frombuffer(data[begin:end], dtype=DTYPES[e["dtype"]]).reshape(e["shape"]).copy()
    return tensors, meta


def write_safetensors(path, tensors, meta):
    """tensors {name: ndarray} in order, metadata {str: str}; header padded with spaces to a multiple of 8."""
    names = {np.dtype(v): k for k, v in DTYPES.items()}
    header, offset, blobs = {}, 0, []
    for name, a in tensors.items():
        b = np.ascontiguousarray(a).astype(a.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": names[a.dtype], "shape": list(a.shape), "data_offsets": [offset, offset + len(b)]}
        offset += len(b)
        blobs.append(b)
    header["__metadata__"] = meta
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def unet_torch_name(name, levels):
    """UNet2D.java parameter names -> torch_models.UNet2D state_dict names (up levels: Java counts l = levels-1..0)."""
    p = name.split(".")
    if p[0] == "in":
        return ".".join(["inc"] + p[1:])
    if p[0] == "out":
        return ".".join(["out_" + p[1]] + p[2:])
    if p[0] == "mid":
        return ".".join([{"res1": "mid1", "attn": "mid_attn", "res2": "mid2"}[p[1]]] + p[2:])
    if p[0] == "down":
        return ".".join(["down", p[1], "resample" if p[2] == "downsample" else p[2]] + p[3:])
    if p[0] == "up":
        return ".".join(["up", str(levels - 1 - int(p[1])), "resample" if p[2] == "upsample" else p[2]] + p[3:])
    return name                                                                  # time.fc1, time.fc2


def transformer_torch_name(name):
    """SequenceTransformer.java names -> torch_models.SequenceTransformer names: block.i -> blocks.i."""
    return "blocks" + name[len("block"):] if name.startswith("block.") else name


def load_checkpoint(path):
    """(torch module in eval mode holding the checkpoint's weights, metadata)."""
    tensors, meta = read_safetensors(path)
    prefix = "ema." if any(k.startswith("ema.") for k in tensors) else "model."
    weights = {k[len(prefix):]: v for k, v in tensors.items() if k.startswith(prefix)}
    ints = lambda key: tuple(int(v) for v in meta[key].split(","))
    if meta["kind"] in ("FASHION_UNET", "GAUSSIAN_UNET"):
        mults = ints("unet.mults")
        net = UNet2D(channels=int(meta["unet.channels"]), image_size=int(meta["unet.imageSize"]), base=int(meta["unet.base"]), mults=mults,
                     res_blocks=int(meta["unet.resBlocks"]), attn_res=ints("unet.attnResolutions"), groups=int(meta["unet.groups"]),
                     heads=int(meta["unet.heads"]))
        state = {unet_torch_name(k, len(mults)): v for k, v in weights.items()}
    elif meta["kind"] in ("DNA_TRANSFORMER", "MASKED_TRANSFORMER"):
        net = SequenceTransformer(vocab=int(meta["transformer.vocab"]), length=int(meta["transformer.length"]), dim=int(meta["transformer.dim"]),
                                  layers=int(meta["transformer.layers"]), heads=int(meta["transformer.heads"]),
                                  mlp_ratio=int(meta["transformer.mlpRatio"]), conv_kernel=int(meta.get("transformer.convKernel", "0")))
        state = {transformer_torch_name(k): v for k, v in weights.items()}
    else:
        raise SystemExit(f"{path}: kind {meta['kind']} is neither a UNet nor a transformer")
    want = net.state_dict()
    missing, unused = sorted(set(want) - set(state)), sorted(set(state) - set(want))
    if missing or unused or len(state) != len(weights):
        raise SystemExit(f"{path}: torch parameters without a checkpoint tensor {missing}, checkpoint tensors unused {unused}")
    for k, v in state.items():
        if tuple(v.shape) != tuple(want[k].shape):
            raise SystemExit(f"{path}: {k} is {tuple(v.shape)} in the checkpoint, {tuple(want[k].shape)} in torch")
    net.load_state_dict({k: torch.from_numpy(v) for k, v in state.items()}, strict=True)
    n = sum(p.numel() for p in net.parameters())
    print(f"{os.path.relpath(path, ROOT)}: {len(state)} tensors, {n} parameters, all used")
    return net.eval(), meta


def inputs(kind, meta, gen):
    """(x, t) for two rows: images ~ N(0, 1) at steps 10 and 700; token rows with MASK drawn with probability t."""
    if kind == "unet":
        s, c = int(meta["unet.imageSize"]), int(meta["unet.channels"])
        return torch.randn(2, c, s, s, generator=gen), torch.tensor([10.0, 700.0])
    vocab, length = int(meta["transformer.vocab"]), int(meta["transformer.length"])
    t = torch.tensor([0.25, 0.8])                                                 # float32; the models see this value
    ids = torch.randint(0, vocab, (2, length), generator=gen)
    masked = torch.rand(2, length, generator=gen) < t[:, None]
    return torch.where(masked, torch.full_like(ids, vocab), ids), t


def fixture(name, checkpoint, kind, seed):
    path = os.path.join(ROOT, "models", checkpoint)
    net, meta = load_checkpoint(path)
    x, t = inputs(kind, meta, torch.Generator().manual_seed(seed))
    with torch.no_grad():
        out = net(x, t)
        out64 = net.double()(x.double() if x.is_floating_point() else x, t)
    scale = out64.abs().max().item()
    err32 = (out.double() - out64).abs().max().item()
    print(f"{name}: out {tuple(out.shape)}, max |out64| {scale:.4g}, torch float32 vs float64 max abs {err32:.3g} (relative {err32 / scale:.3g})")
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    meta_out = {"checkpoint": "models/" + checkpoint, "checkpoint.sha256": digest, "torch": torch.__version__, "numpy": np.__version__,
                "command": COMMAND, "seed": str(seed), "t": "step indices" if kind == "unet" else "times in [0, 1]",
                "torch.f32VsF64MaxAbs": f"{err32:.6g}"}
    tensors = {"x": x.numpy(), "t": t.numpy(), "out": out.numpy(), "out64": out64.numpy()}
    os.makedirs(OUT_DIR, exist_ok=True)
    dest = os.path.join(OUT_DIR, name + ".safetensors")
    write_safetensors(dest, tensors, meta_out)
    print(f"wrote {os.path.relpath(dest, ROOT)} ({os.path.getsize(dest)} bytes)")


def main():
    torch.set_num_threads(1)
    fixture("unet", "fashion-unet.safetensors", "unet", 1)
    fixture("transformer", "dna-transformer.safetensors", "transformer", 2)
    fixture("transformer-conv", "dna-transformer-conv.safetensors", "transformer", 3)


if __name__ == "__main__":
    main()

"""Reads a safetensors file with numpy alone (and with the `safetensors` package when it is installed) and prints
one line per tensor: `name dtype shape sum first last`, then `meta key value` lines. Used by the Java writer's test.
"""
import json
import struct
import sys

import numpy as np

path = sys.argv[1]
with open(path, "rb") as f:
    raw = f.read()
(n,) = struct.unpack("<Q", raw[:8])
header = json.loads(raw[8:8 + n])
data = raw[8 + n:]
kinds = {"F32": "<f4", "F64": "<f8", "I32": "<i4", "I64": "<i8"}
for name, e in header.items():
    if name == "__metadata__":
        continue
    b, end = e["data_offsets"]
    a = np.frombuffer(data[b:end], dtype=kinds[e["dtype"]]).reshape(e["shape"])
    flat = a.reshape(-1)
    first = repr(flat[0].item()) if flat.size else "none"
    last = repr(flat[-1].item()) if flat.size else "none"
    print(name, e["dtype"], "x".join(map(str, a.shape)) or "scalar", repr(float(flat.astype(np.float64).sum())), first, last)
for k, v in header.get("__metadata__", {}).items():
    print("meta", k, v)
try:
    from safetensors.numpy import load_file
except ImportError:
    print("library absent")
else:
    loaded = load_file(path)
    print("library ok", len(loaded))

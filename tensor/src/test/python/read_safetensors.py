"""Reads a safetensors file with numpy alone (and with the `safetensors` package when it is installed) and prints
one line per tensor: `name dtype shape sum first last`, then `meta key value` lines, then either `library absent`
or `library ok N` (the real library loaded N tensors equal to numpy's, and the same metadata) or
`library mismatch ...`. Used by the Java writer's test.
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
arrays = {}
for name, e in header.items():
    if name == "__metadata__":
        continue
    b, end = e["data_offsets"]
    a = np.frombuffer(data[b:end], dtype=kinds[e["dtype"]]).reshape(e["shape"])
    arrays[name] = a
    flat = a.reshape(-1)
    first = repr(flat[0].item()) if flat.size else "none"
    last = repr(flat[-1].item()) if flat.size else "none"
    print(name, e["dtype"], "x".join(map(str, a.shape)) or "scalar", repr(float(flat.astype(np.float64).sum())), first, last)
for k, v in header.get("__metadata__", {}).items():
    print("meta", k, v)
try:
    from safetensors import safe_open
    from safetensors.numpy import load_file
except ImportError:
    print("library absent")
else:
    loaded = load_file(path)
    with safe_open(path, framework="np") as f:
        lib_meta = f.metadata() or {}
    bad = [n for n in arrays if n not in loaded or loaded[n].dtype != arrays[n].dtype
           or loaded[n].shape != arrays[n].shape or not np.array_equal(loaded[n], arrays[n])]
    if set(loaded) != set(arrays):
        bad.append("names")
    if lib_meta != header.get("__metadata__", {}):
        bad.append("__metadata__")
    print("library mismatch " + " ".join(bad) if bad else "library ok %d" % len(loaded))

"""An independent safetensors writer (numpy + struct + json only) for the Java reader's tests.

Usage: write_safetensors.py OUT.safetensors
Writes: "f32" (2, 3) = arange / 4, "f64" (4,) = [0.5, -1.25, 1e300, -0.0], "i64" (2, 2) = [[-3, 2**40], [7, 0]],
"i32" (3,) = [1, -2, 2**31 - 1], "empty" F32 (0, 5); metadata {"source": "python", "step": "12"}.
"""
import json
import struct
import sys

import numpy as np

tensors = {
    "f32": np.arange(6, dtype="<f4").reshape(2, 3) / np.float32(4),
    "f64": np.array([0.5, -1.25, 1e300, -0.0], dtype="<f8"),
    "i64": np.array([[-3, 2 ** 40], [7, 0]], dtype="<i8"),
    "i32": np.array([1, -2, 2 ** 31 - 1], dtype="<i4"),
    "empty": np.zeros((0, 5), dtype="<f4"),
}
names = {"<f4": "F32", "<f8": "F64", "<i8": "I64", "<i4": "I32"}
header, blobs, offset = {"__metadata__": {"source": "python", "step": "12"}}, [], 0
for name, a in tensors.items():
    raw = a.astype(a.dtype.newbyteorder("<")).tobytes()
    header[name] = {"dtype": names[a.dtype.str], "shape": list(a.shape), "data_offsets": [offset, offset + len(raw)]}
    blobs.append(raw)
    offset += len(raw)
h = json.dumps(header, separators=(",", ":")).encode()
h += b" " * (-len(h) % 8)
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))

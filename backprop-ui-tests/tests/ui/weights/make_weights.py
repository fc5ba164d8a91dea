"""Writes the safetensors files of the `include_weights-*` trybuild cases: the weights of
`Net<f32> { input: 2, hidden: 3 => Tanh, out: 2, cost: Mse }`, each file with one mistake.

    python3 backprop-ui-tests/tests/ui/weights/make_weights.py      # from the repository root

Plain Python (struct, json): the format is an 8-byte little-endian header length, the JSON
header, and the tensors' little-endian bytes. Running it again gives the same bytes.
"""

import json
import struct
from pathlib import Path

HERE = Path(__file__).parent

# name -> (dtype, shape, values)
GOOD = {
    "hidden.weight": ("F32", [3, 2], [0.5, -0.25, 1.0, 0.75, -1.5, 0.125]),
    "hidden.bias": ("F32", [3], [0.0, 0.25, -0.5]),
    "out.weight": ("F32", [2, 3], [1.0, -1.0, 0.5, 0.25, 2.0, -0.75]),
    "out.bias": ("F32", [2], [0.125, -0.125]),
}

FORMATS = {"F32": "<f", "F64": "<d", "I32": "<i"}
SIZES = {"F32": 4, "F64": 8, "I32": 4}


def write(name, tensors, metadata=None):
    header, data = {}, b""
    if metadata:
        header["__metadata__"] = metadata
    for tensor in sorted(tensors):
        dtype, shape, values = tensors[tensor]
        raw = b"".join(struct.pack(FORMATS[dtype], v) for v in values)
        header[tensor] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header, separators=(",", ":")).encode()
    (HERE / name).write_bytes(struct.pack("<Q", len(text)) + text + data)


def variant(**changes):
    tensors = dict(GOOD)
    for tensor, value in changes.items():
        tensor = tensor.replace("__", ".")
        if value is None:
            del tensors[tensor]
        else:
            tensors[tensor] = value
    return tensors


write("missing_tensor.safetensors", variant(out__bias=None))
write("wrong_shape.safetensors", variant(hidden__weight=("F32", [4, 2], [0.0] * 8)))
write("transposed.safetensors", variant(hidden__weight=("F32", [2, 3], GOOD["hidden.weight"][2])))
write("nan.safetensors", variant(out__weight=("F32", [2, 3], [1.0, -1.0, 0.5, float("nan"), 2.0, -0.75])))
write("wrong_dtype.safetensors", variant(hidden__bias=("I32", [3], [0, 1, -1])))
write("extra_tensor.safetensors", variant(**{"input__mean": ("F32", [2], [0.0, 0.0])}))
(HERE / "not_safetensors.safetensors").write_bytes(b"hidden.weight,0.5,-0.25\nthis is a CSV file, not weights\n")


def layers(hidden_activation):
    return json.dumps([
        {"activation": hidden_activation, "inputs": 2, "name": "hidden", "outputs": 3},
        {"activation": "Identity", "inputs": 3, "name": "out", "outputs": 2},
    ], separators=(",", ":"))


write("recorded_relu.safetensors", GOOD, {"backprop.layers": layers("Relu"), "backprop.cost": "Mse"})
write("recorded_softmax.safetensors", GOOD, {"backprop.layers": layers("Tanh"), "backprop.cost": "SoftmaxCrossEntropy"})
write("recorded_same.safetensors", GOOD, {"backprop.layers": layers("Tanh"), "backprop.cost": "Mse"})

"""Makes the bundled Fashion-MNIST subset from the full set (Debian's dataset-fashion-mnist).

The subset is the first 500 images of each class of the training files and the first 100 of
each class of the test files, kept in file order: 5000 training and 1000 test images, written
as gzipped IDX files like the originals (gzip mtime 0, so that the output is reproducible).

    python3 make_subset.py [/usr/share/datasets/fashion-mnist]
"""

import gzip
import os
import struct
import sys

SOURCE = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/datasets/fashion-mnist"
HERE = os.path.dirname(os.path.abspath(__file__))
PER_CLASS = {"train": 500, "t10k": 100}


def read(name):
    with gzip.open(os.path.join(SOURCE, name + ".gz"), "rb") as f:
        return f.read()


def write(name, data):
    with open(os.path.join(HERE, name + ".gz"), "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as f:
            f.write(data)


for split, per_class in PER_CLASS.items():
    images = read(f"{split}-images-idx3-ubyte")
    labels = read(f"{split}-labels-idx1-ubyte")
    magic, n, rows, cols = struct.unpack(">IIII", images[:16])
    assert magic == 0x803 and struct.unpack(">II", labels[:8]) == (0x801, n)
    size = rows * cols
    counts = [0] * 10
    chosen = []
    for i in range(n):
        label = labels[8 + i]
        if counts[label] < per_class:
            counts[label] += 1
            chosen.append(i)
    out_images = struct.pack(">IIII", 0x803, len(chosen), rows, cols) + b"".join(
        images[16 + i * size : 16 + (i + 1) * size] for i in chosen
    )
    out_labels = struct.pack(">II", 0x801, len(chosen)) + bytes(labels[8 + i] for i in chosen)
    write(f"{split}-images-idx3-ubyte", out_images)
    write(f"{split}-labels-idx1-ubyte", out_labels)
    print(f"{split}: {len(chosen)} images, last index taken {chosen[-1]}")

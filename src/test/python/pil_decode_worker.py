#!/usr/bin/python3
"""Pillow's side of DecodeBenchmark: decode + preprocess of one JPEG, timed in a persistent process.

    pil_decode_worker.py FILE SIZE
        Reads commands from stdin, one per line, and answers each with one line on stdout:
        "run N"     N times open + draft("L", (SIZE, SIZE)) + convert("L") + resize((SIZE, SIZE), BILINEAR)
                    + np.asarray(float32) on the file's bytes (already in memory); answers the N times in ms.
        "dump PATH" writes that resize's SIZE x SIZE grey bytes to PATH; answers "ok".
        "quit"      exits.
    pil_decode_worker.py make FILE WIDTH HEIGHT SEED
        Writes make_test_models.synthetic_xray(SEED, WIDTH, HEIGHT) as a quality-90 JPEG (the benchmark's images).
"""

import io
import os
import sys
import time

import numpy as np
from PIL import Image


def preprocess(data, size):
    img = Image.open(io.BytesIO(data))
    img.draft("L", (size, size))
    img = img.convert("L").resize((size, size), Image.BILINEAR)
    return img, np.asarray(img, dtype=np.float32)


def serve(path, size):
    with open(path, "rb") as f:
        data = f.read()
    for line in sys.stdin:
        command = line.split()
        if not command:
            continue
        if command[0] == "run":
            times = []
            for _ in range(int(command[1])):
                t = time.perf_counter()
                preprocess(data, size)
                times.append((time.perf_counter() - t) * 1000)
            print(" ".join(f"{t:.4f}" for t in times), flush=True)
        elif command[0] == "dump":
            img, _ = preprocess(data, size)
            with open(command[1], "wb") as f:
                f.write(img.tobytes())
            print("ok", flush=True)
        elif command[0] == "quit":
            return
        else:
            print(f"error unknown command {command[0]}", flush=True)


def make(path, width, height, seed):
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "make_test_models", os.path.join(os.path.dirname(os.path.abspath(__file__)), "make_test_models.py"))
    models = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(models)
    models.synthetic_xray(seed, width, height).save(path, quality=90)


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    else:
        serve(sys.argv[1], int(sys.argv[2]))

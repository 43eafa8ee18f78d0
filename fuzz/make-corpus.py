#!/usr/bin/python3
"""make-corpus.py -- write the seed corpora of the fuzz targets into fuzz/corpus/NAME/.

Small valid inputs (so that the fuzzers start past the format checks) and the classic invalid
ones (truncated, wrong magic, trailing garbage, bad labels, corrupt gzip, bad options).  The
layout of each target's input is described at the top of fuzz/fuzz_NAME.c.  Deterministic:
running it again rewrites the same files.  Usage: fuzz/make-corpus.py (from anywhere)."""
import gzip
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def put(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def piece(b):
    return struct.pack("<H", len(b)) + b


def gz(b):
    return gzip.compress(b, mtime=0)


# ---- IDX: flags, labels piece, images -----------------------------------------------------
def idx_images(count, rows, cols):
    return bytes([0, 0, 8, 3]) + struct.pack(">III", count, rows, cols) + bytes(
        (7 * k) % 256 for k in range(count * rows * cols))


def idx_labels(count):
    return bytes([0, 0, 8, 1]) + struct.pack(">I", count) + bytes(k % 10 for k in range(count))


img, lab = idx_images(3, 4, 5), idx_labels(3)
put("idx", "valid", b"\0" + piece(lab) + img)
put("idx", "valid-gzip-both", b"\3" + piece(lab) + img)
put("idx", "valid-pregzipped", b"\0" + piece(gz(lab)) + gz(img))
put("idx", "truncated-images", b"\0" + piece(lab) + img[:-1])
put("idx", "trailing-garbage", b"\0" + piece(lab) + img + b"x")
put("idx", "truncated-header", b"\0" + piece(lab) + img[:10])
put("idx", "bad-magic", b"\0" + piece(lab) + bytes([0, 0, 9, 3]) + img[4:])
put("idx", "bad-ndim", b"\0" + piece(lab) + bytes([0, 0, 8, 2]) + img[4:])
put("idx", "zero-size", b"\0" + piece(idx_labels(0)) + idx_images(0, 4, 5))
put("idx", "huge-sizes", b"\0" + piece(lab) + bytes([0, 0, 8, 3]) + b"\xff" * 12)
put("idx", "label-out-of-range", b"\0" + piece(lab[:-1] + b"\x0a") + img)
put("idx", "count-mismatch", b"\0" + piece(idx_labels(2)) + img)
put("idx", "corrupt-gzip", b"\0" + piece(lab) + gz(img)[:12] + b"\0" * 8 + gz(img)[20:])
put("idx", "truncated-gzip", b"\0" + piece(gz(lab)[:-6]) + gz(img))
put("idx", "empty", b"")

# ---- CIFAR-10: flags (files - 1, gzip), pieces, last file ----------------------------------
def record(label, seed):
    return bytes([label]) + bytes((seed + 13 * k) % 256 for k in range(3072))


r1, r2 = record(3, 1), record(9, 2)
put("cifar10", "one-record", b"\0" + r1)
put("cifar10", "two-files", b"\1" + piece(r1) + r2)
put("cifar10", "three-files-gzip", b"\6" + piece(r1) + piece(r2) + r1)
put("cifar10", "truncated", b"\0" + r1[:-1])
put("cifar10", "bad-label", b"\0" + bytes([10]) + r1[1:])
put("cifar10", "empty-second-file", b"\1" + piece(r1))
put("cifar10", "record-and-a-half", b"\0" + r1 + r2[:1500])

# ---- .npy (one file) and data_store (y.npy piece, x.npy) ----------------------------------
def npy(shape, values=None, descr="<f8", fortran="False", major=1, header=None):
    if header is None:
        shp = "(%d,)" % shape[0] if len(shape) == 1 else "(" + ", ".join(str(s) for s in shape) + ")"
        header = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (descr, fortran, shp)
    h = header.encode()
    lenbytes = 2 if major == 1 else 4
    pad = 64 - (6 + 2 + lenbytes + len(h) + 1) % 64
    h = h + b" " * (pad % 64) + b"\n"
    count = 1
    for s in shape:
        count *= s
    if values is None:
        values = [0.5 * k - 1.0 for k in range(count)]
    pre = b"\x93NUMPY" + bytes([major, 0]) + (struct.pack("<H", len(h)) if major == 1 else struct.pack("<I", len(h)))
    return pre + h + struct.pack("<%dd" % len(values), *values)


put("npy", "vector", npy([5]))
put("npy", "matrix", npy([2, 3]))
put("npy", "scalar", npy([]))
put("npy", "empty-array", npy([0, 4]))
put("npy", "version2", npy([3], major=2))
put("npy", "nan-inf", npy([3], values=[float("nan"), float("inf"), -0.0]))
put("npy", "truncated-data", npy([4])[:-3])
put("npy", "trailing-data", npy([4]) + b"\0")
put("npy", "fortran", npy([2, 2], fortran="True"))
put("npy", "big-endian", npy([2], descr=">f8"))
put("npy", "float32", npy([2], descr="<f4"))
put("npy", "bad-magic", b"\x93NUMPZ" + npy([2])[6:])
put("npy", "bad-version", npy([2])[:6] + b"\x04\x00" + npy([2])[8:])
put("npy", "huge-header-length", npy([2])[:8] + b"\xff\xff" + npy([2])[10:])
put("npy", "huge-shape", npy([2], header="{'descr': '<f8', 'fortran_order': False, 'shape': (100000000000, 100000000000), }"))
put("npy", "overflow-shape", npy([2], header="{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999999,), }"))
put("npy", "negative-shape", npy([2], header="{'descr': '<f8', 'fortran_order': False, 'shape': (-2,), }"))
put("npy", "not-a-tuple", npy([2], header="{'descr': '<f8', 'fortran_order': False, 'shape': (2), }"))
put("npy", "duplicate-key", npy([2], header="{'descr': '<f8', 'descr': '<f8', 'shape': (2,), }"))
put("npy", "missing-key", npy([2], header="{'descr': '<f8', 'shape': (2,), }"))
put("npy", "unterminated", npy([2], header="{'descr': '<f8"))
put("npy", "empty", b"")

x = npy([2, 3, 3, 1])
put("data_store", "valid", piece(npy([2])) + x)
put("data_store", "count-mismatch", piece(npy([3])) + x)
put("data_store", "x-not-4d", piece(npy([2])) + npy([2, 9]))
put("data_store", "y-2d", piece(npy([2, 1])) + x)
put("data_store", "x-truncated", piece(npy([2])) + x[:-8])
put("data_store", "y-missing-data", piece(npy([2])[:-16]) + x)
put("data_store", "huge-x-shape", piece(npy([100000], values=[])) + npy([1], header="{'descr': '<f8', 'fortran_order': False, 'shape': (100000, 100000, 100000, 1), }"))
put("data_store", "zero-samples", piece(npy([0])) + npy([0, 3, 3, 1]))

# ---- the command line: arguments separated by NUL bytes ------------------------------------
def args(*a):
    return b"\0".join(s.encode() for s in a)


put("cli_eval", "defaults", b"")
put("cli_eval", "full", args("--seed", "7", "--n", "4", "--size", "6x5", "--C0", "2", "--channels", "3,4",
                             "--m", "3,2", "--activation", "silu", "--normalize", "--gamma", "2", "--sigma2", "0.01",
                             "--c", "3", "--path", "fast"))
put("cli_eval", "bad-numbers", args("--seed", "-1", "--n", "0", "--size", "0x3", "--eps", "nan"))
put("cli_eval", "list-edges", args("--channels", "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17", "--m", "3,,4"))
put("cli_eval", "m-mismatch", args("--channels", "2,2", "--m", "3,3,3"))
put("cli_eval", "missing-value", args("--size"))
put("cli_eval", "long-size", args("--size", "1" * 100 + "x2"))

put("cli_spectrum", "synthetic", args("--dataset", "synthetic", "--n", "8", "--m", "3", "--trials", "2", "--top", "3",
                                      "--seed", "4", "--size", "8x8", "--C0", "2", "--c", "4", "--normalize", "half"))
put("cli_spectrum", "bad", args("--dataset", "imagenet", "--normalize", "z", "--c", "1"))
put("cli_spectrum", "unknown", args("--frobnicate", "1", "stray"))

put("cli_train", "deep", args("--model", "deep", "--layers", "3", "--channels", "4", "--m", "3", "--hidden", "8",
                              "--outputs", "10", "--loss", "cross-entropy", "--optimizer", "adam", "--lr", "0.001",
                              "--epochs", "2", "--n", "10", "--save-at", "0,1,2", "--no-plot", "--dataset", "mnist"))
put("cli_train", "two-layer", args("--model", "two-layer", "--optimizer", "flow", "--gamma", "4", "--sigma2", "0",
                                   "--size", "6x6", "--C0", "1", "--seed", "3", "--out", "x"))
put("cli_train", "bad", args("--save-at", "1,,2", "--model", "wide", "--beta1", "1.5", "--epochs", "-1"))
put("cli_train", "help", args("--help"))

put("cli_fc", "sin5d", args("--target", "sin5d", "--activation", "relu", "--optimizer", "gd", "--steps", "10",
                            "--lr", "0.01", "--init-std", "0.1", "--m", "20", "--n", "30", "--seed", "2",
                            "--field-steps", "0,5,10", "--grid", "9", "--cos", "0.9", "--min-norm", "0.01", "--plot"))
put("cli_fc", "bad-steps", args("--field-steps", "1,", "--grid", "0", "--cos", "2"))
put("cli_fc", "too-many-steps", args("--field-steps", ",".join(str(k) for k in range(20))))

put("cli_synth", "small", args("--n", "4", "--size", "3x3", "--C0", "2", "--c", "3", "--seed", "5"))
put("cli_synth", "verify-options", args("--seed", "3", "--gamma", "2", "--times", "5", "--path", "fast"))
put("cli_synth", "bad", args("--c", "1", "--size", "3y3", "--gamma", "0.5", "--times", "1"))
put("cli_synth", "swallowed-out", args("--seed"))
put("cli_synth", "help", args("--help"))

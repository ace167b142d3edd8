"""bench/gpu_compile.py reads XLA's optimized HLO right: its kernels, their matrix products' FLOPs, and what an
in-place update writes (here on HLO that XLA optimized for this CPU: the GPU's needs the JAX CUDA plugin)."""

import importlib.util

import tensorflow as tf
from tensorflow.compiler.tf2xla.python import xla as xla_ops

from ..conftest import ROOT


def load_gpu_compile():
    spec = importlib.util.spec_from_file_location("gpu_compile", ROOT / "bench" / "gpu_compile.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@tf.function(jit_compile=True)
def product_and_update(a, b, buffer, rows):
    return tf.tanh(a @ b), xla_ops.dynamic_update_slice(buffer, rows * 2.0, tf.constant([3, 0]))


def test_kernels_flops_and_in_place_bytes_of_an_optimized_hlo():
    args = [tf.ones([64, 32]), tf.ones([32, 16]), tf.zeros([100, 16]), tf.ones([5, 16])]
    hlo = product_and_update.experimental_get_compiler_ir(*args)(stage="optimized_hlo")
    found = load_gpu_compile().kernels(hlo)
    assert [k["flops"] for k in found if k["flops"]] == [2 * 64 * 32 * 16]
    by_shape = {k["shape"]: k for k in found if not k["flops"] and k["kind"] != "copy"}
    assert by_shape["f32[64,16]"]["written"] == 64 * 16 * 4  # the tanh writes its output
    assert by_shape["f32[100,16]"]["written"] == 5 * 16 * 4  # the update writes its 5 rows, in place

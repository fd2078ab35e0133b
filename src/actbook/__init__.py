"""actbook: the shared, tested code behind *Activation Functions, Measured*.

Importing the package prepares TensorFlow for reproducible, quiet notebooks, in this order:

1. environment variables set *before* TensorFlow is imported: C++ log level 3 (errors only) and
   oneDNN custom operations switched off explicitly (``TF_ENABLE_ONEDNN_OPTS=0``). Measured here:
   oneDNN's batched matmul costs about 25 us per call for the book's small layers, which made
   :func:`actbook.training.train_many` 5x slower per step, while the single-model trainer runs
   at the same speed either way; setting the variable also silences TensorFlow's start-up notice;
2. Python's, NumPy's and TensorFlow's random generators seeded with :data:`DEFAULT_SEED`
   (``keras.utils.set_random_seed``) and ``tf.config.experimental.enable_op_determinism()``.

A variable the user has already set is respected: ``TF_ENABLE_ONEDNN_OPTS=1 jupyter lab``
switches oneDNN back on.
"""

import os as _os

_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
_os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import absl.logging as _absl_logging  # noqa: E402

_absl_logging.set_verbosity(_absl_logging.ERROR)


def _import_tensorflow_quietly():
    """Import TensorFlow with file descriptor 2 pointed at /dev/null.

    TensorFlow 2.21's C++ start-up notices (oneDNN, missing CUDA drivers) are written by Abseil
    logging before it is initialised, which ignores ``TF_CPP_MIN_LOG_LEVEL``; silencing the
    descriptor for the duration of the import is the one way to keep them out of notebooks.
    """
    import sys

    sys.stderr.flush()
    saved = _os.dup(2)
    devnull = _os.open(_os.devnull, _os.O_WRONLY)
    try:
        _os.dup2(devnull, 2)
        import keras
        import tensorflow

        tensorflow.constant(0.0) + 1.0  # initialises the CPU device, which logs too
    finally:
        _os.dup2(saved, 2)
        _os.close(saved)
        _os.close(devnull)
    return keras, tensorflow


keras, tf = _import_tensorflow_quietly()

tf.get_logger().setLevel("ERROR")

DEFAULT_SEED = 0
"""The seed every chapter starts from."""


def seed_everything(seed: int = DEFAULT_SEED) -> None:
    """Seed Python, NumPy and TensorFlow and make TensorFlow's ops deterministic.

    Args:
        seed: a non-negative ``int`` (default 0).

    Raises:
        TypeError: if ``seed`` is not an ``int`` (``bool`` is rejected too).
        ValueError: if ``seed`` is negative.
    """
    from actbook._checks import check_int

    check_int("seed", seed, minimum=0)
    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()


seed_everything(DEFAULT_SEED)

from actbook import (  # noqa: E402,F401
    activations,
    data,
    linear,
    models,
    plotting,
    probes,
    simulate,
    stats,
    sweep,
    training,
)

__all__ = [
    "DEFAULT_SEED",
    "activations",
    "data",
    "linear",
    "models",
    "plotting",
    "probes",
    "seed_everything",
    "simulate",
    "stats",
    "sweep",
    "training",
]
__version__ = "0.1.0"

"""Probes: look inside a model on a data set without changing it, by job.

- :mod:`actbook.probes.representations`: logits, hidden activations and pre-activations, mean
  activations;
- :mod:`actbook.probes.gradients`: per-layer gradient norms, the backpropagated factor ``f'(z)``,
  saturation;
- :mod:`actbook.probes.dead`: dead units and sparsity of ReLU-family networks.

Every probe is available here too (``probes.dead_units(...)``), which is how the chapters call
them. Simulations of random networks that probe no model live in :mod:`actbook.simulate`.
"""

from actbook.probes.dead import (
    dead_fraction,
    dead_masks,
    dead_units,
    forward_many,
    zero_fraction,
    zero_shares,
)
from actbook.probes.gradients import (
    GRADIENT_COSTS,
    bias_gradient_norms,
    derivative_peak,
    hidden_derivatives,
    saturation_fraction,
)
from actbook.probes.representations import (
    hidden_activations,
    logits,
    mean_activations,
    output_spread,
    pre_activations,
)

__all__ = [
    "GRADIENT_COSTS", "bias_gradient_norms", "dead_fraction", "dead_masks", "dead_units",
    "derivative_peak", "forward_many",
    "hidden_activations", "hidden_derivatives", "logits", "mean_activations",
    "output_spread",
    "pre_activations",
    "saturation_fraction", "zero_fraction", "zero_shares",
]

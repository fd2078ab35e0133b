"""A hand-written NumPy implementation of the XOR experiment's training loop.

The reference the trainer is benchmarked against (and checked against in the unit tests): a
one-hidden-layer sigmoid network with softmax cross-entropy on logits and plain minibatch SGD,
float32 throughout, the forward and backward passes written out by hand:

    z = x W1 + b1,  h = sigmoid(z),  l = h W2 + b2,  p = softmax(l)
    dl = (p - onehot(y)) / B,  dW2 = h^T dl,  db2 = sum(dl),  dz = (dl W2^T) h (1 - h),
    dW1 = x^T dz,  db1 = sum(dz).
"""

from __future__ import annotations

import numpy as np


def train_numpy(weights, x, y, batches, learning_rate):
    """Run SGD on ``[W1, b1, W2, b2]`` (float32 arrays, updated copies returned).

    Args:
        weights: initial ``[W1 (d, H), b1 (H,), W2 (H, k), b2 (k,)]``.
        x: float32 ``(n, d)``; y: int ``(n,)``.
        batches: int ``(steps, B)`` row indices per step (e.g. from
            ``actbook.training.minibatch_indices``).
        learning_rate: SGD step size.

    Returns:
        ``(weights, last_batch_loss)``.
    """
    w1, b1, w2, b2 = (np.array(w, dtype=np.float32) for w in weights)
    lr = np.float32(learning_rate)
    k = w2.shape[1]
    eye = np.eye(k, dtype=np.float32)
    loss = np.nan
    for idx in batches:
        xb, yb = x[idx], y[idx]
        h = 1.0 / (1.0 + np.exp(-(xb @ w1 + b1)))
        logits = h @ w2 + b2
        logits -= logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        p = e / e.sum(axis=1, keepdims=True)
        loss = float(-np.mean(np.log(p[np.arange(len(yb)), yb])))
        dl = (p - eye[yb]) / np.float32(len(yb))
        dz = (dl @ w2.T) * h * (1.0 - h)
        w2 -= lr * (h.T @ dl)
        b2 -= lr * dl.sum(axis=0)
        w1 -= lr * (xb.T @ dz)
        b1 -= lr * dz.sum(axis=0)
    return [w1, b1, w2, b2], loss

"""SAM, sharpness-aware minimization (Foret et al. 2021), with SGD as the base optimizer; beyond torch.optim.

Reference: ``pytorch_optimizer.SAM`` from ``pytorch-optimizer`` 4.1.0 (kozistr),
with ``base_optimizer=torch.optim.SGD`` (the paper's and the original
davda54/sam implementation's base; the reference has no default base
optimizer), followed operation by operation; tested against it in
tests/test_optimizers_reference.py.
"""
from __future__ import annotations

import numpy as np

from landscapes.schema import Param
from optimizers.base import register
from optimizers.sgd import SGD

__all__ = ["SAM", "ascent_offset"]


def ascent_offset(params: np.ndarray, grad: np.ndarray, rho, adaptive: bool, perturb_eps) -> np.ndarray:
    """SAM's probe offset e(x) ``(N, 2)``, as ``pytorch_optimizer.SAM.first_step``.

    e = rho * g / (|g| + perturb_eps); adaptive (ASAM, Kwon et al. 2021):
    e = rho * x^2 g / (|x g| + perturb_eps), elementwise x^2 and |x|.

    The reference computes the norm's scale in float32 (its global gradient
    norm is a float32 tensor: |g| rounded to float32, squared, square-rooted,
    plus perturb_eps, all in float32) and ``rho / norm`` as torch does,
    ``norm.reciprocal() * rho``; the float32 scale then multiplies the float64
    gradient. This is reproduced exactly, so the probe agrees to float64
    rounding, not to float32's.
    """
    weighted = grad * np.abs(params) if adaptive else grad
    norm = np.sqrt(weighted[:, 0] * weighted[:, 0] + weighted[:, 1] * weighted[:, 1])   # (N,) float64, torch's norm
    norm32 = norm.astype(np.float32)
    norm32 = np.sqrt(norm32 * norm32) + _float32_rows(perturb_eps)   # .float().square_().sum().sqrt_().add_(eps)
    with np.errstate(divide="ignore"):
        scale = (np.float32(1.0) / norm32) * _float32_rows(rho)     # rho / t = t.reciprocal() * rho
    scale = scale.astype(np.float64)
    offset = params * params * grad if adaptive else grad.copy()
    offset[:, 0] *= scale                                 # column by column: faster than an (N, 1) broadcast
    offset[:, 1] *= scale
    return offset


def _float32_rows(value):
    """A hyperparameter (float or per-run ``(N, 1)`` column) as float32, per row ``(N,)``."""
    return np.asarray(value, dtype=np.float64).reshape(-1).astype(np.float32)


@register
class SAM(SGD):
    r"""SAM (Foret et al. 2021) with torch.optim.SGD as base, as ``pytorch_optimizer.SAM`` 4.1.0.

    Two gradients per step (both counted in ``evals``): an ascent probe to the
    worst point of a small ball, then the base optimizer's step from the
    *original* point with the gradient taken at the probe:

        e_t     = rho * g_t / (|g_t| + perturb_eps),   g_t = grad f(x_t)
        probe   = x_t + e_t                                      (recorded as ``probe``)
        x_{t+1} = SGD step from x_t with gradient grad f(probe)  (momentum, dampening,
                  weight_decay, nesterov, maximize: torch.optim.SGD's, see ``sgd``)

    SAM looks for points whose whole neighbourhood has low loss (Foret et al.
    2021): each descent uses the gradient at the worst point of the ball of
    radius rho, found by one linearized ascent step. With
    ``adaptive`` (ASAM, Kwon et al. 2021) the ball is scaled per coordinate by
    |x|: e_t = rho x_t^2 g_t / (|x_t g_t| + perturb_eps).

    Follows the reference where it differs from the paper: the normalization's
    scale is computed in float32 (see :func:`ascent_offset`); the probe always
    ascends f, also with ``maximize`` (which only flips the base SGD step).
    With ``perturb_eps=0`` at a point with zero gradient the probe is 0/0 and
    the run stops as diverged, as the reference's NaN would. Not exposed: the
    reference's ``use_gc`` (gradient centralization subtracts a mean over
    dimensions 1 and up; a 1-D parameter has none, so it is the identity
    here, tested) and ``foreach``.
    """

    name = "sam"
    label = "SAM"
    torch_name = None
    reference = "pytorch-optimizer 4.1.0: pytorch_optimizer.SAM(base_optimizer=torch.optim.SGD)"
    schema = SGD.schema + (
        Param("rho", 0.05, "radius of the ascent probe: the neighbourhood whose worst point is sought",
              low=0.0, scale="log", slider_low=1e-3, slider_high=1.0),
        Param("adaptive", False, "ASAM: scale the probe per coordinate by |x|", kind="bool", per_run=False),
        Param("perturb_eps", 1e-12, "added to the gradient norm of the probe", low=0.0, scale="log",
              slider_low=1e-16, slider_high=1e-2),
    )
    rule = (r"e_t = \rho \frac{\nabla f(x_t)}{\|\nabla f(x_t)\|},\ "
            r"v_t = \mu v_{t-1} + (1-\tau) \nabla f(x_t + e_t),\ x_{t+1} = x_t - \alpha v_t")
    state_keys = ("probe", "momentum_buffer")
    map_points = {"probe": ("ascent probe x + e (the gradient is taken there)", 1)}

    def init(self, params):
        return {**super().init(params), "probe": params.copy()}   # (N, 2) the ascent point of the last step

    def step(self, params, state, objective, lr, active) -> None:
        h = self.hyper
        grad = objective.grad(params)
        probe = state["probe"]
        np.add(params, ascent_offset(params, grad, h["rho"], h["adaptive"], h["perturb_eps"]), out=probe)
        self.update(params, objective.grad(probe), state, lr)     # the base SGD step, from x_t

"""Adam and AdamW (torch.optim.Adam, torch.optim.AdamW), plus the lecture's "almost Adam"."""
from __future__ import annotations

import numpy as np

from landscapes.schema import Param
from optimizers.base import FirstOrder, register, with_defaults
from optimizers.common import BETA1, BETA2, MAXIMIZE, WEIGHT_DECAY, eps_param, lr_param, negate_if
from optimizers.fast import power, is_set, lerp_


@register
class Adam(FirstOrder):
    r"""torch.optim.Adam, with the lecture's bias-correction switch.

    With g_t = grad f(x_t) (+ weight_decay * x_t, or decoupled: x_t *= 1 - lr * weight_decay):

        m_t = beta1 m_{t-1} + (1 - beta1) g_t            (torch: lerp)
        v_t = beta2 v_{t-1} + (1 - beta2) g_t^2
        m_hat = m_t / (1 - beta1^t),  v_hat = v_t / (1 - beta2^t)
        x_{t+1} = x_t - lr * m_hat / (sqrt(v_hat) + eps)

    torch's form: ``denom = sqrt(v_t) / sqrt(1 - beta2^t) + eps`` and
    ``x -= (lr / (1 - beta1^t)) * m_t / denom``: eps is added *after* the
    bias correction of v, unlike the lecture's slide, which adds eps to
    sqrt(v) before correcting. With amsgrad, v_t is replaced by the running
    maximum of all v_t.

    ``bias_correction=False`` (beyond torch) is the lecture's "almost Adam":
    m_hat = m_t and v_hat = v_t, so the first steps are outsized because v
    starts at zero.
    """

    name = "adam"
    starter_hyper = {"lr": 0.3}
    velocity_state = "exp_avg"
    effective_lr_on_m_hat = True
    label = "Adam"
    torch_name = "Adam"
    schema = (
        lr_param(1e-3),
        BETA1,
        BETA2,
        eps_param(1e-8),
        WEIGHT_DECAY,
        Param("amsgrad", False, "AMSGrad: use the running maximum of v", kind="bool", per_run=False),
        MAXIMIZE,
        Param("decoupled_weight_decay", False, "decouple weight decay from the gradient (AdamW)",
              kind="bool", per_run=False),
        Param("bias_correction", True, "divide m and v by (1 - beta^t); off gives the lecture's "
              "'almost Adam' (beyond torch)", kind="bool", per_run=False),
    )
    rule = (r"m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t,\ v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2,\ "
            r"x_{t+1} = x_t - \alpha\, \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}")
    state_keys = ("exp_avg", "exp_avg_sq", "max_exp_avg_sq")

    def init(self, params):
        return {
            "step": 0,
            "exp_avg": np.zeros_like(params),         # (N, 2) m
            "exp_avg_sq": np.zeros_like(params),      # (N, 2) v
            "max_exp_avg_sq": np.zeros_like(params),  # (N, 2) running max of v (amsgrad)
            "denom": np.empty_like(params),           # scratch
        }

    def update(self, params, grad, state, lr):
        h = self.hyper
        beta1, beta2 = h["beta1"], h["beta2"]
        grad = negate_if(grad, h["maximize"])
        state["step"] += 1
        step = state["step"]
        if is_set(h["weight_decay"]):
            if h["decoupled_weight_decay"]:
                params *= 1 - lr * h["weight_decay"]
            else:
                grad += h["weight_decay"] * params
        exp_avg, exp_avg_sq, denom = state["exp_avg"], state["exp_avg_sq"], state["denom"]
        lerp_(exp_avg, grad, 1 - beta1)
        exp_avg_sq *= beta2
        grad *= grad
        grad *= 1 - beta2
        exp_avg_sq += grad
        if h["bias_correction"]:
            bias_correction1 = 1 - power(beta1, step)
            bias_correction2_sqrt = power(1 - power(beta2, step), 0.5)
        else:
            bias_correction1 = bias_correction2_sqrt = 1.0
        second = exp_avg_sq
        if h["amsgrad"]:
            np.maximum(state["max_exp_avg_sq"], exp_avg_sq, out=state["max_exp_avg_sq"])
            second = state["max_exp_avg_sq"]
        np.sqrt(second, out=denom)
        denom /= bias_correction2_sqrt
        denom += h["eps"]
        np.divide(exp_avg, denom, out=denom)
        denom *= lr / bias_correction1
        params -= denom

    def effective_lr(self, state, lr, step):
        h = self.hyper
        second = state["max_exp_avg_sq"] if h["amsgrad"] else state["exp_avg_sq"]
        with np.errstate(all="ignore"):
            if h["bias_correction"]:
                correction1 = 1 - h["beta1"] ** step
                correction2_sqrt = (1 - h["beta2"] ** step) ** 0.5
            else:
                correction1 = correction2_sqrt = 1.0
            return (lr / correction1) / (np.sqrt(second) / correction2_sqrt + h["eps"])


@register
class AdamW(Adam):
    r"""torch.optim.AdamW: Adam with decoupled weight decay, default 0.01.

    x_t <- x_t (1 - lr * weight_decay) before the Adam step; the decay never
    enters m or v.
    """

    name = "adamw"
    starter_hyper = {"lr": 0.3}
    label = "AdamW"
    torch_name = "AdamW"
    schema = tuple(p for p in with_defaults(Adam.schema, weight_decay=0.01, decoupled_weight_decay=True)
                   if p.name not in ("decoupled_weight_decay", "bias_correction"))

    def __init__(self, **hyper):
        super().__init__(**hyper)
        self.hyper.update(decoupled_weight_decay=True, bias_correction=True)

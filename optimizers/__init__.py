"""Pure-NumPy optimizers with torch.optim semantics, stepping many runs at once.

>>> import landscapes, optimizers
>>> surface = landscapes.get("rosenbrock")
>>> path = optimizers.run(surface, optimizers.get("adam", lr=0.1), (-1.5, 2.0), 300)
>>> path.shape
(301, 2)
"""
from optimizers.base import FirstOrder, Optimizer, get, names, schema
from optimizers.loop import Trajectory, final_positions, run, simulate
from optimizers import schedules
from optimizers import sgd as _sgd, adam as _adam  # noqa: F401  (register the optimizers)
from optimizers import adaptive as _adaptive, adam_family as _adam_family  # noqa: F401  (register the optimizers)
from optimizers import lbfgs as _lbfgs, newton as _newton  # noqa: F401  (register the optimizers)
from optimizers import asgd as _asgd, rprop as _rprop, adafactor as _adafactor, muon as _muon  # noqa: F401  (torch.optim's rest)
from optimizers import lion as _lion, schedule_free as _schedule_free, adabelief as _adabelief, prodigy as _prodigy, sam as _sam  # noqa: F401,E501  (beyond torch: register)
from optimizers.maps import BasinMap, SensitivityMap, basin_map, param_grid, sensitivity_map  # noqa: F401

__all__ = ["FirstOrder", "Optimizer", "Trajectory", "final_positions", "get", "names", "run", "schedules",
           "schema", "simulate"]

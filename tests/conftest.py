import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "course",
    deadline=None,
    max_examples=int(os.environ.get("HYPOTHESIS_MAX_EXAMPLES", "40")),
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,  # the same examples on every run: CI is reproducible
)
settings.load_profile("course")


@pytest.fixture
def rng():
    return np.random.default_rng(0)

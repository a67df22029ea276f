"""Cold start mapping and the calibration rule."""

from __future__ import annotations

import numpy as np
import pytest

from qbank.psychometrics.coldstart import (
    CalibrationRule,
    merge_parameters,
    provisional_parameters,
    ready_for_calibration,
)
from qbank.psychometrics.irt import ItemParameters


def test_difficulty_mapping_and_polytomous_steps() -> None:
    prov = provisional_parameters([1, 2, 3, 4, 5, 3], n_steps=[1, 1, 1, 1, 1, 3])
    np.testing.assert_allclose(prov.params.b[:5, 0], [-1.5, -0.75, 0, 0.75, 1.5])
    np.testing.assert_allclose(prov.params.b[5], [-0.5, 0.0, 0.5])
    np.testing.assert_array_equal(prov.params.a, 1.0)
    assert prov.provisional.all()
    with pytest.raises(ValueError):
        provisional_parameters([0])


def test_ready_for_calibration_rule() -> None:
    x = np.full((250, 3), np.nan)
    x[:250, 0] = 1
    x[:150, 1] = 0
    x[:250, 2] = np.r_[np.zeros(100), np.ones(148), [2, 2]]  # top category used twice only
    ok = ready_for_calibration(x, [1, 1, 2], CalibrationRule(min_responses=200, min_per_category=5))
    assert ok.tolist() == [True, False, False]


def test_merge_keeps_calibrated_values() -> None:
    prov = provisional_parameters([3, 4])
    cal = ItemParameters.dichotomous([1.7, 0.9], [0.2, -0.4])
    merged = merge_parameters(prov, cal, [True, False])
    assert merged.params.a.tolist() == [1.7, 1.0]
    assert merged.params.b[:, 0].tolist() == [0.2, 0.75]
    assert merged.provisional.tolist() == [False, True]

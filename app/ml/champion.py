"""The champion/challenger gate: a retrained version serves only if it is not worse.

Both are scored on the same most recent held-out period, the challenger's test split
(bars the champion never saw when its data ended before them), so the comparison is
like for like. The rule (docs/MODELS.md, "Champion and challenger"): the challenger
is promoted when

* its RMSE of the return forecast is no higher than the champion's, and
* its directional accuracy is not below the champion's 95 % interval (Wilson, on the
  effective sample size), i.e. not lower beyond what chance explains.

A champion that cannot be scored (its files are gone, its features differ) does not
block the challenger: the verdict says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from app.ml.dataset import Dataset
from app.ml.evaluation import directional_stats, json_safe, rmse

RULE = (
    "promote when challenger rmse <= champion rmse and challenger directional accuracy "
    ">= the champion's 95 % interval low"
)


@dataclass(frozen=True)
class Champion:
    """The serving version, where the training process can load it from."""

    version_id: str
    number: int
    directory: str
    sha256: str


def score(predicted: npt.ArrayLike, realised: npt.ArrayLike, horizon_bars: int) -> dict[str, Any]:
    """The figures the gate compares (JSON-safe)."""
    pred = np.asarray(predicted, dtype=np.float64)
    real = np.asarray(realised, dtype=np.float64)
    naive = rmse(np.zeros_like(real), real)
    error = rmse(pred, real)
    direction = directional_stats(pred, real, horizon_bars)
    return json_safe(
        {
            "n_test": int(real.shape[0]),
            "rmse": error,
            "rmse_ratio_naive": error / naive if naive else None,
            "directional_accuracy": direction["directional_accuracy"],
            "directional_accuracy_ci_low": direction["directional_accuracy_ci_low"],
            "directional_accuracy_ci_high": direction["directional_accuracy_ci_high"],
        }
    )


def champion_forecasts(
    champion: Champion, dataset: Dataset, raw_features: npt.ArrayLike
) -> npt.NDArray[np.float64]:
    """The champion's raw log-return forecasts for the challenger's test samples, from
    the same bars through the champion's own scaler and look-back. Raises
    `ChampionNotComparable` (or the artifact's own errors) when it cannot be done."""
    from app.ml.artifacts import load_artifact

    artifact = load_artifact(champion.directory, champion.sha256)
    pre = artifact.preprocessing
    if tuple(pre.feature_names) != tuple(dataset.preprocessing.feature_names):
        raise ChampionNotComparable(
            f"the champion reads the features {list(pre.feature_names)}, the challenger "
            f"{list(dataset.preprocessing.feature_names)}"
        )
    if pre.horizon_bars != dataset.horizon_bars:
        raise ChampionNotComparable("the champion forecasts another horizon")
    rows = pre.scaler.transform_features(np.asarray(raw_features, dtype=np.float32))
    decision_bars = dataset.end_bar(dataset.splits.test.indices)
    first = decision_bars - pre.lookback + 1
    if first.size == 0 or int(first.min()) < 0:
        raise ChampionNotComparable("the champion's look-back reaches before the bars")
    windows = np.stack([rows[start : start + pre.lookback] for start in first])
    scaled = np.asarray(artifact.model.predict(windows, batch_size=512, verbose=0))
    return pre.scaler.unscale_target(scaled.reshape(-1))


class ChampionNotComparable(ValueError):
    """The champion's inputs or horizon differ from the challenger's."""


def judge(challenger: dict[str, Any], champion: dict[str, Any]) -> tuple[bool, str]:
    """Apply the module's rule; (promote, the reason in plain words)."""
    c_rmse, k_rmse = challenger.get("rmse"), champion.get("rmse")
    c_acc = challenger.get("directional_accuracy")
    k_low = champion.get("directional_accuracy_ci_low")
    if c_rmse is None or c_acc is None:
        return False, "the challenger could not be scored on its test period"
    if k_rmse is None or k_low is None:
        return True, "the champion could not be scored on the challenger's test period"
    worse_error = c_rmse > k_rmse
    worse_direction = c_acc < k_low
    if not worse_error and not worse_direction:
        return True, (
            f"not worse than the champion on the same {challenger.get('n_test')} recent "
            f"test bars: RMSE {c_rmse:.6g} vs {k_rmse:.6g}, directional accuracy "
            f"{c_acc:.3f} vs the champion's interval low {k_low:.3f}"
        )
    reasons = []
    if worse_error:
        reasons.append(f"higher RMSE ({c_rmse:.6g} vs the champion's {k_rmse:.6g})")
    if worse_direction:
        reasons.append(
            f"directional accuracy {c_acc:.3f} below the champion's 95 % interval (low {k_low:.3f})"
        )
    return False, "kept as a candidate: " + " and ".join(reasons) + (
        f" on the same {challenger.get('n_test')} recent test bars"
    )


def gate(
    champion: Champion | None,
    dataset: Dataset,
    raw_features: npt.ArrayLike,
    predicted: npt.ArrayLike,
) -> dict[str, Any] | None:
    """The decision record for a challenger whose test-split forecasts are
    ``predicted``; None without a champion (a first version simply serves)."""
    if champion is None:
        return None
    from app.ml.artifacts import ArtifactError

    realised = dataset.split_log_returns(dataset.splits.test)
    h = dataset.horizon_bars
    challenger_score = score(predicted, realised, h)
    try:
        champion_score = score(champion_forecasts(champion, dataset, raw_features), realised, h)
    except (ArtifactError, ChampionNotComparable) as exc:
        champion_score = {"error": str(exc)[:300]}
    promote, reason = judge(challenger_score, champion_score)
    champion_score.update({"version_id": champion.version_id, "version": champion.number})
    return {
        "promote": promote,
        "reason": reason,
        "rule": RULE,
        "challenger": challenger_score,
        "champion": champion_score,
    }

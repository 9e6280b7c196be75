"""The reputation score of `ReputationBadge`, computed off-chain exactly as the contract does.

score = floor(points × 0.95^(elapsed / 365 days)), in 1e36 fixed point with the same integer
steps and roundings as `ReputationBadge.decayFactor`, so the API can show a score (or project
it to a future time) without a chain call. A property test checks it against the contract.
"""

SCALE = 10**36
YEAR_SECONDS = 365 * 24 * 60 * 60
DECAY_PER_YEAR = 95 * 10**34  # 0.95
NEG_LN_DECAY = 51293294387550533426196144254687238  # floor(-ln(0.95) * 1e36)


def decay_factor(elapsed: int) -> int:
    """0.95^(elapsed / 365 days) in 1e36 fixed point, rounded down as on-chain."""
    if elapsed < 0:
        raise ValueError(f"elapsed must not be negative, got {elapsed}")
    whole = _pow(DECAY_PER_YEAR, elapsed // YEAR_SECONDS)
    y = NEG_LN_DECAY * (elapsed % YEAR_SECONDS) // YEAR_SECONDS
    return whole * _exp_neg(y) // SCALE


def decayed_score(points: int, elapsed: int) -> int:
    """floor(points × 0.95^(elapsed / 365 days)), as `ReputationBadge.decayedScore`."""
    return points * decay_factor(elapsed) // SCALE


def score_at(points: int, last_activity: int, timestamp: int) -> int:
    """An account's score at `timestamp` given its points and last activity time."""
    if timestamp < last_activity:
        raise ValueError(f"timestamp {timestamp} is before the last activity {last_activity}")
    return decayed_score(points, timestamp - last_activity)


def _pow(base: int, exponent: int) -> int:
    result = SCALE
    while exponent:
        if exponent & 1:
            result = result * base // SCALE
        exponent >>= 1
        if exponent:
            base = base * base // SCALE
    return result


def _exp_neg(y: int) -> int:
    positive, negative, term, k = SCALE, 0, SCALE, 1
    while term:
        term = term * y // (k * SCALE)
        if k & 1:
            negative += term
        else:
            positive += term
        k += 1
    return positive - negative

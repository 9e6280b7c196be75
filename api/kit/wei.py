"""Amounts of wei from clients: whole numbers written as decimal strings, so no float ever rounds them."""

import re

from api.kit.problems import InvalidFieldError
from impactchain.db.types import UINT256_MAX

_DIGITS = re.compile(r"[0-9]+")
_EXPONENT = re.compile(r"[0-9]*\.?[0-9]+[eE][+-]?[0-9]+")
_UINT256_DIGITS = len(str(UINT256_MAX))


class InvalidAmountError(InvalidFieldError):
    """Not a positive whole number of wei that fits in a uint256."""

    slug = "invalid-amount"
    title = "Invalid amount"


def parse_wei(field: str, raw: str) -> int:
    """A positive uint256 from a string of decimal digits; the error says what is wrong with `raw`."""
    if not _DIGITS.fullmatch(raw):
        raise InvalidAmountError(field, raw, _why_not_digits(raw))
    significant = raw.lstrip("0")
    # The length check first: int() of a million digits is slow, and no such number fits.
    amount = int(significant or "0") if len(significant) <= _UINT256_DIGITS else UINT256_MAX + 1
    if amount > UINT256_MAX:
        raise InvalidAmountError(field, raw, "must be at most 2**256-1 wei")
    if amount == 0:
        raise InvalidAmountError(field, raw, "must be greater than zero")
    return amount


def _why_not_digits(raw: str) -> str:
    if raw == "":
        return "must not be empty; give a whole number of wei as a decimal string"
    if raw.strip() != raw:
        return f"must not contain whitespace, got {raw!r}"
    if raw.startswith("-"):
        return f"must be greater than zero, got {raw!r}"
    if _EXPONENT.fullmatch(raw):
        return f"must be written out in decimal digits, not in exponent notation, got {raw!r}"
    if "." in raw:
        return f"must be a whole number of wei without a decimal point, got {raw!r}"
    return f"must be a whole number of wei in decimal digits 0-9, got {raw!r}"

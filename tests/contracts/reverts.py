"""A strict revert assertion for custom errors.

`ape.reverts(Error)` quietly passes when the revert is not decoded as a custom error, and
skips inputs it cannot find by name. `reverts_with` fails in both cases. When ape leaves a
revert undecoded (a revert bubbled through a contract whose ABI lacks the error, or raw bytes
from the provider) it matches the selector and decodes the inputs itself.
"""

import ast
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import ape
from eth_abi import decode
from eth_utils import keccak, to_checksum_address


def error_selector(error: Any) -> bytes:
    """The 4-byte selector of a contract's custom error class."""
    return keccak(text=error.abi.selector)[:4]


def _raw_revert_data(message: Any) -> bytes | None:
    text = str(message or "")
    if text.startswith("0x"):
        return bytes.fromhex(text[2:])
    if text.startswith(("b'", 'b"')):
        value = ast.literal_eval(text)
        return value if isinstance(value, bytes) else None
    return None


def _decode_inputs(error: Any, data: bytes) -> dict[str, Any]:
    types = [item.canonical_type for item in error.abi.inputs]
    values = decode(types, data[4:])
    return {
        item.name: to_checksum_address(value) if item.canonical_type == "address" else value
        for item, value in zip(error.abi.inputs, values, strict=True)
    }


def _normalize(value: Any) -> Any:
    address = getattr(value, "address", None)
    return address if isinstance(address, str) else value


@contextmanager
def reverts_with(error: Any, **inputs: Any) -> Iterator[None]:
    """Expect a revert with custom error `error` (a contract's error class) and exact `inputs`."""
    with ape.reverts() as info:
        yield
    raised = info.value
    if type(raised).__name__ == error.__name__:
        actual = dict(raised.inputs)
    else:
        data = _raw_revert_data(raised.revert_message)
        assert data is not None, f"expected {error.__name__}, got {raised!r}"
        assert data[:4] == error_selector(error), f"expected {error.__name__}, got {raised!r}"
        actual = _decode_inputs(error, data)
    if inputs:
        expected = {name: _normalize(value) for name, value in inputs.items()}
        assert actual == expected, f"{error.__name__} inputs {actual} != expected {expected}"

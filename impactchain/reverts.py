"""Revert data in words: `Error(string)`, `Panic(uint256)`, or a custom error named by the contract's ABI."""

from collections.abc import Sequence
from typing import Any

from eth_abi import decode
from eth_utils import function_signature_to_4byte_selector
from eth_utils.abi import collapse_if_tuple

ERROR_STRING_SELECTOR = "0x08c379a0"
PANIC_SELECTOR = "0x4e487b71"


def describe_revert(data: str | None, abi: Sequence[dict[str, Any]]) -> str | None:
    """`data` as e.g. `HelpDeskInsufficientEscrow(requested=5, available=0)`; None if there is none."""
    if not data or len(data) < 10 or not data.startswith("0x"):
        return None
    selector = data[:10].lower()
    try:
        payload = bytes.fromhex(data[10:])
        if selector == ERROR_STRING_SELECTOR:
            (reason,) = decode(["string"], payload)
            return f"Error({reason!r})"
        if selector == PANIC_SELECTOR:
            (code,) = decode(["uint256"], payload)
            return f"Panic(0x{code:02x})"
        for entry in abi:
            if entry.get("type") == "error" and _selector(entry) == selector:
                return _describe_custom_error(entry, payload)
    except Exception:  # undecodable payloads are reported by selector below.
        return f"unknown error {selector}"
    return f"unknown error {selector}"


def abi_signature(entry: dict[str, Any]) -> str:
    """`name(type,…)` of an ABI function or error entry, tuples spelled out, as selectors hash it."""
    types = ",".join(collapse_if_tuple(param) for param in entry.get("inputs", []))
    return f"{entry.get('name')}({types})"


def _selector(entry: dict[str, Any]) -> str:
    return "0x" + function_signature_to_4byte_selector(abi_signature(entry)).hex()


def _describe_custom_error(entry: dict[str, Any], payload: bytes) -> str:
    inputs = entry.get("inputs", [])
    values = decode([collapse_if_tuple(param) for param in inputs], payload)
    arguments = ", ".join(
        f"{param['name']}={value}" if param.get("name") else str(value)
        for param, value in zip(inputs, values, strict=True)
    )
    return f"{entry['name']}({arguments})"

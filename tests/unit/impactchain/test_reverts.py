"""Revert data decoded against an ABI's custom errors, and the two built-in error shapes."""

from typing import Any

from eth_abi import encode
from eth_utils import function_signature_to_4byte_selector

from impactchain.reverts import describe_revert

ABI: list[dict[str, Any]] = [
    {"type": "function", "name": "donate", "inputs": [], "outputs": [], "stateMutability": "payable"},
    {"type": "error", "name": "HelpDeskZeroDonation", "inputs": []},
    {
        "type": "error",
        "name": "HelpDeskInsufficientEscrow",
        "inputs": [
            {"name": "requested", "type": "uint256", "internalType": "uint256"},
            {"name": "available", "type": "uint256", "internalType": "uint256"},
        ],
    },
]


def _revert_data(signature: str, types: list[str], values: list[Any]) -> str:
    return "0x" + (function_signature_to_4byte_selector(signature) + encode(types, values)).hex()


def test_custom_error_without_arguments() -> None:
    data = _revert_data("HelpDeskZeroDonation()", [], [])

    assert describe_revert(data, ABI) == "HelpDeskZeroDonation()"


def test_custom_error_with_named_arguments() -> None:
    data = _revert_data("HelpDeskInsufficientEscrow(uint256,uint256)", ["uint256", "uint256"], [5, 2**200])

    assert describe_revert(data, ABI) == f"HelpDeskInsufficientEscrow(requested=5, available={2**200})"


def test_require_message() -> None:
    data = _revert_data("Error(string)", ["string"], ["not allowed"])

    assert describe_revert(data, ABI) == "Error('not allowed')"


def test_panic_code() -> None:
    data = _revert_data("Panic(uint256)", ["uint256"], [0x11])

    assert describe_revert(data, ABI) == "Panic(0x11)"


def test_unknown_selector_is_named_by_selector() -> None:
    assert describe_revert("0xdeadbeef", ABI) == "unknown error 0xdeadbeef"


def test_known_selector_with_garbled_arguments_is_named_by_selector() -> None:
    data = _revert_data("HelpDeskInsufficientEscrow(uint256,uint256)", [], [])

    assert describe_revert(data + "00", ABI) == f"unknown error {data[:10]}"


def test_odd_length_data_is_named_by_selector() -> None:
    assert describe_revert("0xdeadbeef0", ABI) == "unknown error 0xdeadbeef"


def test_no_data_means_no_description() -> None:
    assert describe_revert(None, ABI) is None
    assert describe_revert("0x", ABI) is None

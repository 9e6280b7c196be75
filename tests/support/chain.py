"""Helpers for talking to a test chain."""

from typing import Any

from web3 import Web3

from impactchain.devstack.seed import send_donation

__all__ = ["rpc", "send_donation"]


def rpc(w3: Web3, method: str, params: list[Any] | None = None) -> Any:
    response = w3.provider.make_request(method, params or [])  # type: ignore[arg-type]
    if "error" in response:
        raise RuntimeError(f"{method} failed: {response['error']}")
    return response["result"]

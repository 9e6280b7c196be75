"""Test ERC-20s for contract tests."""

from collections.abc import Iterable
from typing import Any

USDC = 10**6
"""One whole test USDC (6 decimals)."""
MAX_ALLOWANCE = 2**256 - 1


def deploy_usdc(project: Any, deployer: Any, holders: Iterable[Any], amount: int, spender: Any = None) -> Any:
    """A 6-decimal test USDC; each holder gets `amount` base units and, if `spender` is given,
    approves it for everything."""
    usdc = deployer.deploy(project.TestMintableToken, "Test USD Coin", "USDC", 6)
    for holder in holders:
        usdc.mint(holder, amount, sender=deployer)
        if spender is not None:
            usdc.approve(spender, MAX_ALLOWANCE, sender=holder)
    return usdc

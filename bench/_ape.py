"""What the gas benchmarks share: ape's in-process test chain and the platform's token."""

from collections.abc import Callable
from typing import Any, TypeVar

from ape import networks, project
from ape.logging import logger

T = TypeVar("T")


def on_test_chain(measure: Callable[[], T]) -> T:
    """Run `measure` on ape's in-process EthTester chain, with ape's own logging quiet."""
    logger.set_level("ERROR")
    with networks.ethereum.local.use_provider("test"):
        return measure()


def deploy_governance_token(owner: Any) -> Any:
    """GovernanceToken behind its UUPS proxy, as deployed, with `owner` holding every role."""
    implementation = owner.deploy(project.GovernanceToken)
    init = implementation.initialize.encode_input(owner)
    return project.GovernanceToken.at(owner.deploy(project.GovernanceTokenProxy, implementation, init).address)

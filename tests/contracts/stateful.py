"""Stateful property tests on ape's test chain: each example starts from the chain as it was."""

from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, run_state_machine_as_test


def run_on_chain(chain: Any, machine: type[RuleBasedStateMachine], *, max_examples: int, steps: int) -> None:
    """Run `machine` for `max_examples` examples of up to `steps` rules each, snapshotting the
    chain before an example builds its machine and restoring it after the example ends."""

    class OnChain(machine):  # type: ignore[valid-type,misc]
        def __init__(self) -> None:
            self._chain_snapshot = chain.snapshot()
            super().__init__()

        def teardown(self) -> None:
            try:
                super().teardown()
            finally:
                chain.restore(self._chain_snapshot)

    OnChain.__name__ = machine.__name__
    run_state_machine_as_test(
        OnChain,
        settings=settings(
            max_examples=max_examples,
            stateful_step_count=steps,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )

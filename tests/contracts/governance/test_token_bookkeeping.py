"""GovernanceToken keeps balances and supply in its own storage (a balance shares its slot with
the holder's donation total; the supply is the latest total-supply checkpoint). This stateful
property test runs random mints, batch mints, donations, transfers, allowance spends,
over-balance transfers and delegations on it and, side by side, on a plain OpenZeppelin
ERC20Votes token (MockReferenceVotesToken), and requires the two to agree on every balance, the
total supply, every delegate and every vote count, and on the error of a transfer that asks for
more than the balance."""

from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from tests.contracts.reverts import reverts_with
from tests.contracts.stateful import run_on_chain

TOKEN = 10**18
HOLDERS = 3
amounts = st.integers(min_value=1, max_value=10**6 * TOKEN)
holders = st.integers(min_value=0, max_value=HOLDERS - 1)
# Percent of the sender's balance to move; the whole balance and nothing are edge cases worth a
# higher weight than 1 in 101.
shares = st.one_of(st.sampled_from([0, 100]), st.integers(min_value=1, max_value=99))


@dataclass
class Model:
    donated: list[int] = field(default_factory=lambda: [0] * HOLDERS)


def test_bookkeeping_matches_openzeppelin_erc20votes(
    chain: Any,
    project: Any,
    token: Any,
    owner: Any,
    minter: Any,
    recorder: Any,
    donor: Any,
    other_donor: Any,
    stranger: Any,
) -> None:
    reference = owner.deploy(project.MockReferenceVotesToken, owner)
    accounts = [donor, other_donor, stranger]

    class BookkeepingMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.model = Model()

        @rule(to=holders, amount=amounts)
        def mint(self, to: int, amount: int) -> None:
            token.mint(accounts[to], amount, sender=minter)
            reference.mint(accounts[to], amount, sender=owner)

        @rule(to=holders, amount=amounts)
        def record_donation(self, to: int, amount: int) -> None:
            token.recordDonation(accounts[to], amount, sender=recorder)
            reference.mint(accounts[to], amount, sender=owner)
            self.model.donated[to] += amount

        @rule(credits=st.lists(st.tuples(holders, amounts), min_size=1, max_size=4))
        def mint_batch(self, credits: list[tuple[int, int]]) -> None:
            token.mintBatch([accounts[to] for to, _ in credits], [amount for _, amount in credits], sender=minter)
            for to, amount in credits:
                reference.mint(accounts[to], amount, sender=owner)

        @rule(source=holders, recipient=holders, share=shares)
        def transfer(self, source: int, recipient: int, share: int) -> None:
            amount = token.balanceOf(accounts[source]) * share // 100
            for contract in (token, reference):
                contract.transfer(accounts[recipient], amount, sender=accounts[source])

        @rule(source=holders, recipient=holders, spender=holders, share=shares)
        def transfer_from(self, source: int, recipient: int, spender: int, share: int) -> None:
            amount = token.balanceOf(accounts[source]) * share // 100
            for contract in (token, reference):
                contract.approve(accounts[spender], amount, sender=accounts[source])
                contract.transferFrom(accounts[source], accounts[recipient], amount, sender=accounts[spender])
                assert contract.allowance(accounts[source], accounts[spender]) == 0

        @rule(source=holders, recipient=holders, excess=amounts)
        def transfer_beyond_balance(self, source: int, recipient: int, excess: int) -> None:
            sender = accounts[source]
            balance = token.balanceOf(sender)
            for contract in (token, reference):
                with reverts_with(
                    contract.ERC20InsufficientBalance, sender=sender.address, balance=balance, needed=balance + excess
                ):
                    contract.transfer(accounts[recipient], balance + excess, sender=sender)

        @rule(holder=holders, delegatee=holders)
        def delegate(self, holder: int, delegatee: int) -> None:
            for contract in (token, reference):
                contract.invoke_transaction("delegate", accounts[delegatee], sender=accounts[holder])

        @invariant()
        def agrees_with_openzeppelin(self) -> None:
            balances = [token.balanceOf(account) for account in accounts]
            assert balances == [reference.balanceOf(account) for account in accounts]
            assert token.totalSupply() == reference.totalSupply() == sum(balances)
            for account in accounts:
                assert token.delegates(account) == reference.delegates(account)
                assert token.getVotes(account) == reference.getVotes(account)
            assert [token.donatedBy(account) for account in accounts] == self.model.donated

    run_on_chain(chain, BookkeepingMachine, max_examples=12, steps=10)

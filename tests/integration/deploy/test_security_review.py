"""The security review's two reproduced attacks (issue 10), tried as an attacker would on the
platform as the real deploy script wires it: refundable donations buy no votes, and a plain
proposal cannot make its proposer a timelock proposer without the guardians."""

from typing import Any

import pytest
from eth_account import Account
from eth_utils import keccak
from web3 import Web3
from web3.exceptions import ContractCustomError

from impactchain.devstack.anvil import DEV_PRIVATE_KEYS as KEYS
from impactchain.devstack.seed import send_donation
from impactchain.governance import ProposalType, typed_description
from impactchain.helpdesk import NATIVE_CURRENCY
from impactchain.registry import DeploymentManifest, contract_at
from impactchain.reverts import describe_revert
from tests.support.chain import rpc, transact

ATTACKER = KEYS[3]
MATIC = 10**18
FOR, SUCCEEDED = 1, 4


def revert_of(call: Any, sender: str, abi: list[dict[str, Any]]) -> str:
    """The custom error `call` reverts with when sent by `sender`, in words."""
    with pytest.raises(ContractCustomError) as raised:
        call.call({"from": sender})
    return describe_revert(str(raised.value.data), abi) or ""


def advance(w3: Web3, seconds: int = 0, blocks: int = 1) -> None:
    if seconds:
        rpc(w3, "evm_increaseTime", [seconds])
    rpc(w3, "anvil_mine", [hex(blocks)])


def test_a_refunded_donation_leaves_no_tokens_and_no_votes(chain: Web3, manifest: DeploymentManifest) -> None:
    help_desk, token = contract_at(chain, manifest, "HelpDesk"), contract_at(chain, manifest, "GovernanceToken")
    abi = manifest.contract("HelpDesk").abi
    attacker = Account.from_key(ATTACKER).address
    now = chain.eth.get_block("latest")["timestamp"]
    minimum = help_desk.functions.minRequestDuration().call()
    assert minimum >= 24 * 3600

    def open_request(deadline: int) -> Any:
        return help_desk.functions.openRequest(
            NATIVE_CURRENCY, 50 * MATIC, "food", "u4pruyd", "bafkrei", False, deadline
        )

    # The review's bot used a 60-second deadline: refused now.
    assert revert_of(open_request(now + 60), attacker, abi).startswith("HelpDeskBadDeadline(")
    call = open_request(now + minimum + 60)
    request_id = int(call.call({"from": attacker}))
    transact(chain, call, ATTACKER)
    transact(chain, token.functions.delegate(attacker), ATTACKER)
    send_donation(chain, help_desk.address, ATTACKER, 50 * MATIC, request_id)
    donated_at = chain.eth.block_number
    assert token.functions.balanceOf(attacker).call() == 0  # nothing minted for money that can come back

    advance(chain, seconds=minimum + 120)
    transact(chain, help_desk.functions.claimRefund(request_id, NATIVE_CURRENCY), ATTACKER)
    advance(chain)

    assert help_desk.functions.contributionOf(request_id, NATIVE_CURRENCY, attacker).call() == 50 * MATIC
    assert help_desk.functions.ledger(request_id, NATIVE_CURRENCY).call()[3] == 50 * MATIC  # refunded
    assert token.functions.balanceOf(attacker).call() == 0
    assert token.functions.getVotes(attacker).call() == 0
    assert token.functions.getPastVotes(attacker, donated_at).call() == 0
    assert help_desk.functions.claimableReward(request_id, NATIVE_CURRENCY, attacker).call() == [0, 0]  # tokens, points


def test_a_plain_proposal_cannot_make_its_proposer_a_timelock_proposer(
    chain: Web3, manifest: DeploymentManifest
) -> None:
    dao, timelock = contract_at(chain, manifest, "DAOCore"), contract_at(chain, manifest, "DAOTimelock")
    token = contract_at(chain, manifest, "GovernanceToken")
    abi = manifest.contract("DAOCore").abi + manifest.contract("CallPolicy").abi
    attacker = Account.from_key(ATTACKER).address
    # The review's path: give to the general fund (mints at once: that money is spent), delegate.
    send_donation(chain, manifest.contract("HelpDesk").address, ATTACKER, 50 * MATIC)
    transact(chain, token.functions.delegate(attacker), ATTACKER)
    advance(chain)

    grant = timelock.encode_abi("grantRole", [keccak(text="PROPOSER_ROLE"), attacker])
    operation: tuple[list[str], list[int], list[str]] = ([timelock.address], [0], [grant])
    plain = dao.functions.propose(*operation, "Make me a proposer")
    assert revert_of(plain, attacker, abi).startswith("CallPolicyCallNotAllowed(")
    founder_idea = typed_description("Make me a proposer", ProposalType.FOUNDER_IDEA)
    typed = dao.functions.proposeTyped(*operation, founder_idea, ProposalType.FOUNDER_IDEA)
    assert revert_of(typed, attacker, abi).startswith("CallPolicyCallNotAllowed(")

    # Filed as what it is, an ADMIN proposal, it can pass the vote but not skip the guardians.
    description = typed_description("Make me a proposer", ProposalType.ADMIN)
    transact(chain, dao.functions.proposeTyped(*operation, description, ProposalType.ADMIN), ATTACKER)
    proposal_id = dao.functions.getProposalId(*operation, keccak(text=description)).call()
    advance(chain, blocks=2)
    transact(chain, dao.functions.castVote(proposal_id, FOR), ATTACKER)
    advance(chain, blocks=dao.functions.proposalDeadline(proposal_id).call() - chain.eth.block_number + 1)
    assert dao.functions.state(proposal_id).call() == SUCCEEDED
    queue = dao.functions.queue(*operation, keccak(text=description))
    assert revert_of(queue, attacker, abi).startswith("DAOCoreGuardianApprovalMissing(")
    assert not timelock.functions.hasRole(keccak(text="PROPOSER_ROLE"), attacker).call()

"""The deployed platform governs itself: a FOUNDER_IDEA proposal passed through the real DAO
creates a funding round through the factory, and the keeper finalizes it after its deadline."""

import json
from pathlib import Path

from eth_account import Account
from eth_utils import keccak
from web3 import Web3

from impactchain.devstack.anvil import DEV_PRIVATE_KEYS as KEYS
from impactchain.devstack.anvil import Anvil
from impactchain.devstack.deploy import run_ape_script
from impactchain.devstack.seed import send_donation
from impactchain.governance import ProposalType, typed_description
from impactchain.keeper import due_duties
from impactchain.registry import DeploymentManifest, contract_at
from tests.support.chain import rpc, transact

VOTER, FOUNDER, VERIFIER = KEYS[1], KEYS[2], KEYS[4]
FOUNDER_IDEA, FOR = 1, 1
DAY = 24 * 3600
CID = "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4"
SUCCEEDED, EXECUTED = 4, 7
FAILED = 2  # IFundingRound.Status.Failed


def mine(w3: Web3, blocks: int) -> None:
    rpc(w3, "anvil_mine", [hex(blocks)])


def test_a_founder_idea_passed_by_the_dao_opens_a_round_the_keeper_finalizes(
    chain: Web3, manifest: DeploymentManifest, anvil: Anvil, deployments_dir: Path
) -> None:
    dao, factory = contract_at(chain, manifest, "DAOCore"), contract_at(chain, manifest, "FundingRoundFactory")
    token = contract_at(chain, manifest, "GovernanceToken")
    voter, founder = Account.from_key(VOTER).address, Account.from_key(FOUNDER).address
    # Voting power comes from donating: 50 MATIC to the help desk mints 50 IMPACT.
    send_donation(chain, manifest.contract("HelpDesk").address, VOTER, 50 * 10**18)
    transact(chain, token.functions.delegate(voter), VOTER)
    # FOUNDER_IDEA votes are quadratic: only DONOR or VERIFIER badge holders may cast them.
    badges = contract_at(chain, manifest, "ReputationBadge")
    transact(chain, badges.functions.issue(voter, badges.functions.DONOR().call()), VERIFIER)
    mine(chain, 1)

    now = chain.eth.get_block("latest")["timestamp"]
    deadline = now + 7 * DAY
    params: tuple[object, ...] = (founder, CID, 10**30, deadline, [], [(10_000, deadline + 30 * DAY, 0, CID)])
    salt = keccak(text="first round")
    predicted = factory.functions.predictRoundAddress(salt).call()
    calldata = factory.encode_abi("createRound", [salt, params])
    # The type is part of the description (so of the proposal id): nobody can re-file it as another.
    description = typed_description("Founder idea: clean water for Lamu", ProposalType.FOUNDER_IDEA)
    transact(chain, dao.functions.proposeTyped([factory.address], [0], [calldata], description, FOUNDER_IDEA), VOTER)
    proposal_id = dao.functions.getProposalId([factory.address], [0], [calldata], keccak(text=description)).call()

    mine(chain, 2)
    transact(chain, dao.functions.castVote(proposal_id, FOR), VOTER)
    mine(chain, 25)
    assert dao.functions.state(proposal_id).call() == SUCCEEDED
    transact(chain, dao.functions.queue([factory.address], [0], [calldata], keccak(text=description)), VOTER)
    rpc(chain, "evm_increaseTime", [3600])
    mine(chain, 1)  # gas estimation runs on the latest block: let the clock move first
    transact(chain, dao.functions.execute([factory.address], [0], [calldata], keccak(text=description)), VOTER)

    assert dao.functions.state(proposal_id).call() == EXECUTED
    assert factory.functions.roundCount().call() == 1
    assert factory.functions.roundAt(0).call() == predicted
    round_ = contract_at(chain, manifest, "FundingRound", predicted)
    assert round_.functions.founder().call() == founder

    rpc(chain, "evm_increaseTime", [8 * DAY])
    mine(chain, 1)
    assert [(d.function, d.address) for d in due_duties(chain, manifest)] == [("finalize", predicted)]
    output = run_ape_script("keeper", anvil.url, deployments_dir=deployments_dir)

    sent = [json.loads(line) for line in output.splitlines() if line.startswith("{")]  # the keeper's JSON logs
    assert [(e["contract"], e["function"], e["address"]) for e in sent if e["event"] == "settlement sent"] == [
        ("FundingRound", "finalize", predicted)
    ]
    assert round_.functions.status().call() == FAILED  # nobody funded the 1e12 MATIC goal
    assert due_duties(chain, manifest) == []

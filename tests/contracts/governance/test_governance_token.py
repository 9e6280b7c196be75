"""GovernanceToken: capped, pausable, UUPS-upgradeable voting token minted for donations."""

from typing import Any

import pytest
from eth_account import Account
from eth_utils import keccak

from tests.contracts.reverts import reverts_with
from tests.contracts.signing import sign_typed

TOKEN = 10**18
CAP = 1_000_000_000 * TOKEN
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
USDC = "0x41E94Eb019C0762f9Bfcf9Fb1E58725BfB0e7582"
# ERC-7201 slot of impactchain.storage.GovernanceToken; fields: accounts (balance and donated
# in one slot), donationRate.
STORAGE_LOCATION = 0x9564CE321C210000901B5DB58E57445BA39C2441BA46A7B8EB4182E70F349000
# OpenZeppelin's ERC20 namespace (erc7201:openzeppelin.storage.ERC20): _balances, _allowances,
# _totalSupply, _name, _symbol.
OZ_ERC20_LOCATION = 0x52C63247E1F47DB19D5CE0460030C497F067CA4CEBF71BA98EEADABE20BACE00


def role(name: str) -> bytes:
    return keccak(text=name)


# ----- initialization -----


def test_initialize_sets_metadata_cap_and_roles(token: Any, owner: Any) -> None:
    assert token.name() == "ImpactChain Governance"
    assert token.symbol() == "IMPACT"
    assert token.decimals() == 18
    assert token.cap() == CAP
    assert token.totalSupply() == 0
    for name in ("MINTER_ROLE", "PAUSER_ROLE", "UPGRADER_ROLE", "RATE_SETTER_ROLE"):
        assert getattr(token, name)() == role(name)
        assert token.hasRole(role(name), owner)
    assert token.hasRole(b"\x00" * 32, owner)
    assert token.DONATION_RECORDER_ROLE() == role("DONATION_RECORDER_ROLE")


def test_storage_location_is_erc7201_slot() -> None:
    outer = int.from_bytes(keccak(text="impactchain.storage.GovernanceToken"), "big") - 1
    slot = int.from_bytes(keccak(outer.to_bytes(32, "big")), "big") & ~0xFF
    assert slot == STORAGE_LOCATION


def mapping_slot(key: str, base: int) -> int:
    return int.from_bytes(keccak(bytes(12) + bytes.fromhex(key[2:]) + base.to_bytes(32, "big")), "big")


def test_balance_and_donation_total_share_one_namespaced_slot(
    chain: Any, token: Any, minter: Any, recorder: Any, donor: Any
) -> None:
    token.recordDonation(donor, 7 * TOKEN, sender=recorder)
    token.mint(donor, 2 * TOKEN, sender=minter)

    def word(slot: int) -> int:
        return int.from_bytes(chain.provider.get_storage(token.address, slot), "big")

    account = word(mapping_slot(donor.address, STORAGE_LOCATION))
    assert (account & (2**128 - 1), account >> 128) == (9 * TOKEN, 7 * TOKEN)
    # OpenZeppelin's own balance and supply fields are never written.
    assert word(mapping_slot(donor.address, OZ_ERC20_LOCATION)) == 0
    assert word(OZ_ERC20_LOCATION + 2) == 0
    assert token.totalSupply() == 9 * TOKEN


def test_transfer_beyond_balance_reverts_with_erc20_error(token: Any, minter: Any, donor: Any, stranger: Any) -> None:
    token.mint(donor, TOKEN, sender=minter)
    token.approve(stranger, 2 * TOKEN, sender=donor)

    with reverts_with(token.ERC20InsufficientBalance, sender=donor.address, balance=TOKEN, needed=TOKEN + 1):
        token.transfer(stranger, TOKEN + 1, sender=donor)
    with reverts_with(token.ERC20InsufficientBalance, sender=donor.address, balance=TOKEN, needed=2 * TOKEN):
        token.transferFrom(donor, stranger, 2 * TOKEN, sender=stranger)
    receipt = token.transfer(stranger, TOKEN, sender=donor)

    assert receipt.events == [token.Transfer(donor, stranger, TOKEN)]
    assert (token.balanceOf(donor), token.balanceOf(stranger), token.totalSupply()) == (0, TOKEN, TOKEN)


def test_implementation_cannot_be_initialized(token_implementation: Any, stranger: Any) -> None:
    with reverts_with(token_implementation.InvalidInitialization):
        token_implementation.initialize(stranger, sender=stranger)


def test_proxy_cannot_be_initialized_twice(token: Any, stranger: Any) -> None:
    with reverts_with(token.InvalidInitialization):
        token.initialize(stranger, sender=stranger)


def test_initialize_rejects_zero_admin(project: Any, owner: Any, token_implementation: Any) -> None:
    init_data = token_implementation.initialize.encode_input(ZERO_ADDRESS)
    with reverts_with(token_implementation.GovernanceTokenZeroAddress):
        owner.deploy(project.GovernanceTokenProxy, token_implementation, init_data)


def test_roles_are_granted_by_admin_only(token: Any, owner: Any, stranger: Any) -> None:
    minter_role = role("MINTER_ROLE")
    with reverts_with(token.AccessControlUnauthorizedAccount, account=stranger.address, neededRole=b"\x00" * 32):
        token.grantRole(minter_role, stranger, sender=stranger)

    receipt = token.grantRole(minter_role, stranger, sender=owner)

    assert receipt.events == [token.RoleGranted(minter_role, stranger, owner)]
    assert token.hasRole(minter_role, stranger)


def test_supports_access_control_interface(token: Any) -> None:
    assert token.supportsInterface("0x7965db0b")
    assert not token.supportsInterface("0xffffffff")


# ----- mint and cap -----


def test_mint_credits_and_emits_transfer(token: Any, minter: Any, donor: Any) -> None:
    receipt = token.mint(donor, 5 * TOKEN, sender=minter)

    assert receipt.events == [token.Transfer(ZERO_ADDRESS, donor, 5 * TOKEN)]
    assert token.balanceOf(donor) == 5 * TOKEN
    assert token.totalSupply() == 5 * TOKEN


def test_mint_requires_minter_role(token: Any, stranger: Any) -> None:
    with reverts_with(token.AccessControlUnauthorizedAccount, account=stranger.address, neededRole=role("MINTER_ROLE")):
        token.mint(stranger, TOKEN, sender=stranger)


def test_mint_rejects_zero_address_and_amount(token: Any, minter: Any, donor: Any) -> None:
    with reverts_with(token.GovernanceTokenZeroAddress):
        token.mint(ZERO_ADDRESS, TOKEN, sender=minter)
    with reverts_with(token.GovernanceTokenZeroAmount):
        token.mint(donor, 0, sender=minter)


def test_cap_can_be_reached_exactly_but_not_exceeded(token: Any, minter: Any, donor: Any) -> None:
    token.mint(donor, CAP - 1, sender=minter)
    token.mint(donor, 1, sender=minter)
    assert token.totalSupply() == CAP

    with reverts_with(token.GovernanceTokenCapExceeded, supplyAfterMint=CAP + 1, cap=CAP):
        token.mint(donor, 1, sender=minter)


# ----- mintBatch -----


def test_mint_batch_credits_every_recipient(token: Any, minter: Any, accounts: Any) -> None:
    recipients = [accounts[6], accounts[7], accounts[8]]
    amounts = [1 * TOKEN, 2 * TOKEN, 3 * TOKEN]

    receipt = token.mintBatch(recipients, amounts, sender=minter)

    assert [token.balanceOf(a) for a in recipients] == amounts
    assert token.totalSupply() == 6 * TOKEN
    assert receipt.events.filter(token.BatchMinted) == [token.BatchMinted(minter, 3, 6 * TOKEN)]
    assert len(receipt.events.filter(token.Transfer)) == 3


def test_mint_batch_bad_input(token: Any, minter: Any, donor: Any) -> None:
    with reverts_with(token.GovernanceTokenLengthMismatch, recipients=2, amounts=1):
        token.mintBatch([donor, donor], [TOKEN], sender=minter)
    with reverts_with(token.GovernanceTokenEmptyBatch):
        token.mintBatch([], [], sender=minter)
    with reverts_with(token.GovernanceTokenZeroAddress):
        token.mintBatch([donor, ZERO_ADDRESS], [TOKEN, TOKEN], sender=minter)
    with reverts_with(token.GovernanceTokenZeroAmount):
        token.mintBatch([donor, donor], [TOKEN, 0], sender=minter)


def test_mint_batch_enforces_cap_on_total(token: Any, minter: Any, donor: Any, other_donor: Any) -> None:
    with reverts_with(token.GovernanceTokenCapExceeded, supplyAfterMint=CAP + 1, cap=CAP):
        token.mintBatch([donor, other_donor], [CAP, 1], sender=minter)

    token.mintBatch([donor, other_donor], [CAP - 1, 1], sender=minter)
    assert token.totalSupply() == CAP


def test_mint_batch_requires_minter_role(token: Any, stranger: Any) -> None:
    with reverts_with(token.AccessControlUnauthorizedAccount, account=stranger.address, neededRole=role("MINTER_ROLE")):
        token.mintBatch([stranger], [TOKEN], sender=stranger)


def test_mint_batch_is_cheaper_per_recipient_than_single_mints(token: Any, minter: Any, accounts: Any) -> None:
    fresh = [Account.create().address for _ in range(10)]
    batch = token.mintBatch(fresh, [TOKEN] * 10, sender=minter)
    single = token.mint(Account.create().address, TOKEN, sender=minter)

    assert batch.gas_used / 10 < 0.6 * single.gas_used


# ----- pause -----


def test_pause_halts_transfers_but_not_minting(token: Any, owner: Any, minter: Any, donor: Any, stranger: Any) -> None:
    token.mint(donor, 2 * TOKEN, sender=minter)
    token.approve(stranger, TOKEN, sender=donor)

    receipt = token.pause(sender=owner)
    assert receipt.events == [token.Paused(owner)]
    with reverts_with(token.GovernanceTokenTransfersPaused):
        token.transfer(stranger, TOKEN, sender=donor)
    with reverts_with(token.GovernanceTokenTransfersPaused):
        token.transferFrom(donor, stranger, TOKEN, sender=stranger)
    token.mint(donor, TOKEN, sender=minter)
    assert token.balanceOf(donor) == 3 * TOKEN

    token.unpause(sender=owner)
    token.transfer(stranger, TOKEN, sender=donor)
    assert token.balanceOf(stranger) == TOKEN


def test_pause_and_unpause_require_pauser_role(token: Any, owner: Any, stranger: Any) -> None:
    with reverts_with(token.AccessControlUnauthorizedAccount, account=stranger.address, neededRole=role("PAUSER_ROLE")):
        token.pause(sender=stranger)
    token.pause(sender=owner)
    with reverts_with(token.AccessControlUnauthorizedAccount, account=stranger.address, neededRole=role("PAUSER_ROLE")):
        token.unpause(sender=stranger)
    assert token.paused()


# ----- donations -----


def test_record_donation_mints_one_token_per_matic_and_tracks_totals(
    token: Any, recorder: Any, donor: Any, other_donor: Any
) -> None:
    first = token.recordDonation(donor, 2 * TOKEN, sender=recorder)
    small = token.recordDonation(other_donor, 5, sender=recorder)
    second = token.recordDonation(donor, 3 * TOKEN, sender=recorder)

    assert first.events.filter(token.DonationRecorded) == [
        token.DonationRecorded(donor, ZERO_ADDRESS, 2 * TOKEN, 2 * TOKEN, 2 * TOKEN)
    ]
    assert second.events.filter(token.DonationRecorded) == [
        token.DonationRecorded(donor, ZERO_ADDRESS, 3 * TOKEN, 3 * TOKEN, 5 * TOKEN)
    ]
    assert token.balanceOf(donor) == 5 * TOKEN
    assert token.donatedBy(donor) == 5 * TOKEN
    assert token.donatedBy(other_donor) == 5
    # The platform-wide total is the sum of the events (no counter on chain): every donor's total, every token minted.
    recorded = [event for receipt in (first, small, second) for event in receipt.events.filter(token.DonationRecorded)]
    total = sum(event.maticEquivalent for event in recorded)
    assert total == token.donatedBy(donor) + token.donatedBy(other_donor) == token.totalSupply() == 5 * TOKEN + 5


def test_record_donation_bad_input(token: Any, recorder: Any, donor: Any) -> None:
    with reverts_with(token.GovernanceTokenZeroAddress):
        token.recordDonation(ZERO_ADDRESS, TOKEN, sender=recorder)
    with reverts_with(token.GovernanceTokenZeroAmount):
        token.recordDonation(donor, 0, sender=recorder)


def test_record_donation_requires_recorder_role(token: Any, minter: Any, donor: Any) -> None:
    needed = role("DONATION_RECORDER_ROLE")
    with reverts_with(token.AccessControlUnauthorizedAccount, account=minter.address, neededRole=needed):
        token.recordDonation(donor, TOKEN, sender=minter)
    with reverts_with(token.AccessControlUnauthorizedAccount, account=minter.address, neededRole=needed):
        token.recordTokenDonation(donor, USDC, TOKEN, sender=minter)


def test_record_donation_respects_cap(token: Any, minter: Any, recorder: Any, donor: Any) -> None:
    token.mint(donor, CAP - TOKEN, sender=minter)
    with reverts_with(token.GovernanceTokenCapExceeded, supplyAfterMint=CAP + 1, cap=CAP):
        token.recordDonation(donor, TOKEN + 1, sender=recorder)


def test_set_donation_rate_by_governance_only(token: Any, owner: Any, minter: Any) -> None:
    rate = 2 * 10**12 * 10**18  # 1 USDC (6 decimals) = 2 MATIC
    with reverts_with(
        token.AccessControlUnauthorizedAccount, account=minter.address, neededRole=role("RATE_SETTER_ROLE")
    ):
        token.setDonationRate(USDC, rate, sender=minter)
    with reverts_with(token.GovernanceTokenZeroAddress):
        token.setDonationRate(ZERO_ADDRESS, rate, sender=owner)

    receipt = token.setDonationRate(USDC, rate, sender=owner)

    assert receipt.events == [token.DonationRateSet(USDC, 0, rate)]
    assert token.donationRate(USDC) == rate


def test_record_token_donation_mints_matic_equivalent(token: Any, owner: Any, recorder: Any, donor: Any) -> None:
    token.setDonationRate(USDC, 2 * 10**12 * 10**18, sender=owner)
    token.recordDonation(donor, TOKEN, sender=recorder)

    receipt = token.recordTokenDonation(donor, USDC, 10 * 10**6 + 1, sender=recorder)

    minted = 20 * TOKEN + 2 * 10**12
    assert receipt.events.filter(token.DonationRecorded) == [
        token.DonationRecorded(donor, USDC, 10 * 10**6 + 1, minted, TOKEN + minted)
    ]
    assert token.balanceOf(donor) == TOKEN + minted
    assert token.donatedBy(donor) == TOKEN + minted


def test_record_token_donation_rounds_down_and_rejects_dust(token: Any, owner: Any, recorder: Any, donor: Any) -> None:
    token.setDonationRate(USDC, 3 * 10**17, sender=owner)  # 0.3 token wei per base unit
    token.recordTokenDonation(donor, USDC, 7, sender=recorder)
    assert token.balanceOf(donor) == 2  # floor(2.1)

    with reverts_with(token.GovernanceTokenDonationTooSmall, currency=USDC, amount=3):
        token.recordTokenDonation(donor, USDC, 3, sender=recorder)


def test_record_token_donation_needs_a_rate(token: Any, owner: Any, recorder: Any, donor: Any) -> None:
    with reverts_with(token.GovernanceTokenUnsupportedCurrency, currency=USDC):
        token.recordTokenDonation(donor, USDC, 10**6, sender=recorder)
    with reverts_with(token.GovernanceTokenZeroAddress):
        token.recordTokenDonation(donor, ZERO_ADDRESS, 10**6, sender=recorder)
    token.setDonationRate(USDC, 10**18, sender=owner)
    token.setDonationRate(USDC, 0, sender=owner)  # governance disables the currency again
    with reverts_with(token.GovernanceTokenUnsupportedCurrency, currency=USDC):
        token.recordTokenDonation(donor, USDC, 10**6, sender=recorder)


# ----- votes and permit -----


def test_delegation_gives_voting_power_with_history(
    chain: Any, token: Any, minter: Any, donor: Any, stranger: Any
) -> None:
    token.mint(donor, 4 * TOKEN, sender=minter)
    assert token.getVotes(donor) == 0

    token.invoke_transaction("delegate", stranger, sender=donor)
    block = chain.blocks.head.number
    chain.mine()

    assert token.delegates(donor) == stranger
    assert token.getVotes(stranger) == 4 * TOKEN
    assert token.getPastVotes(stranger, block - 1) == 0
    assert token.getPastVotes(stranger, block) == 4 * TOKEN
    assert token.getPastTotalSupply(block) == 4 * TOKEN


def test_mints_move_votes_to_the_holders_delegate(
    chain: Any, token: Any, minter: Any, recorder: Any, donor: Any, stranger: Any
) -> None:
    token.mint(donor, TOKEN, sender=minter)
    token.invoke_transaction("delegate", stranger, sender=donor)
    before = chain.blocks.head.number

    minted = token.mint(donor, 2 * TOKEN, sender=minter)
    donated = token.recordDonation(donor, 3 * TOKEN, sender=recorder)
    chain.mine()

    assert token.delegates(ZERO_ADDRESS) == ZERO_ADDRESS
    assert minted.events.filter(token.DelegateVotesChanged) == [token.DelegateVotesChanged(stranger, TOKEN, 3 * TOKEN)]
    assert donated.events.filter(token.DelegateVotesChanged) == [
        token.DelegateVotesChanged(stranger, 3 * TOKEN, 6 * TOKEN)
    ]
    assert token.getVotes(stranger) == 6 * TOKEN
    assert token.getVotes(donor) == 0
    assert token.getPastVotes(stranger, before) == TOKEN
    assert token.getPastVotes(stranger, minted.block_number) == 3 * TOKEN
    assert token.getPastTotalSupply(donated.block_number) == 6 * TOKEN


def test_permit_sets_allowance_from_signature(chain: Any, token: Any, minter: Any, donor: Any, stranger: Any) -> None:
    token.mint(donor, TOKEN, sender=minter)
    deadline = chain.pending_timestamp + 3600
    permit = [("owner", "address"), ("spender", "address"), ("value", "uint256"), ("nonce", "uint256")]
    permit.append(("deadline", "uint256"))
    signed = sign_typed(
        donor,
        token,
        "ImpactChain Governance",
        "Permit",
        permit,
        owner=donor.address,
        spender=stranger.address,
        value=TOKEN,
        nonce=0,
        deadline=deadline,
    )

    token.permit(
        donor,
        stranger,
        TOKEN,
        deadline,
        signed.v,
        signed.r.to_bytes(32, "big"),
        signed.s.to_bytes(32, "big"),
        sender=stranger,
    )

    assert token.allowance(donor, stranger) == TOKEN
    assert token.nonces(donor) == 1


# ----- upgrades -----


def test_upgrade_requires_upgrader_role(project: Any, token: Any, owner: Any, stranger: Any) -> None:
    v2 = owner.deploy(project.TestGovernanceTokenV2)
    with reverts_with(
        token.AccessControlUnauthorizedAccount, account=stranger.address, neededRole=role("UPGRADER_ROLE")
    ):
        token.upgradeToAndCall(v2, b"", sender=stranger)


@pytest.mark.parametrize("paused", [False, True])
def test_upgrade_preserves_state(
    project: Any, token: Any, owner: Any, minter: Any, recorder: Any, donor: Any, stranger: Any, paused: bool
) -> None:
    token.mint(stranger, TOKEN, sender=minter)
    token.recordDonation(donor, 3 * TOKEN, sender=recorder)
    token.setDonationRate(USDC, 10**18, sender=owner)
    token.invoke_transaction("delegate", donor, sender=donor)
    if paused:
        token.pause(sender=owner)
    v2 = owner.deploy(project.TestGovernanceTokenV2)

    receipt = token.upgradeToAndCall(v2, b"", sender=owner)

    assert receipt.events == [token.Upgraded(v2)]
    upgraded = project.TestGovernanceTokenV2.at(token.address)
    assert upgraded.version() == 2
    assert upgraded.balanceOf(donor) == 3 * TOKEN
    assert upgraded.balanceOf(stranger) == TOKEN
    assert upgraded.donatedBy(donor) == 3 * TOKEN
    assert upgraded.donatedBy(stranger) == 0  # minted, not donated
    assert upgraded.donationRate(USDC) == 10**18
    assert upgraded.getVotes(donor) == 3 * TOKEN
    assert upgraded.hasRole(role("DONATION_RECORDER_ROLE"), recorder)
    assert upgraded.paused() == paused

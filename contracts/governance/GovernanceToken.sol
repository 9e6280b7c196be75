// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControlUpgradeable} from "@openzeppelin/contracts-upgradeable/access/AccessControlUpgradeable.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {ERC20Upgradeable} from "@openzeppelin/contracts-upgradeable/token/ERC20/ERC20Upgradeable.sol";
import {ERC20PermitUpgradeable} from
    "@openzeppelin/contracts-upgradeable/token/ERC20/extensions/ERC20PermitUpgradeable.sol";
import {ERC20VotesUpgradeable} from
    "@openzeppelin/contracts-upgradeable/token/ERC20/extensions/ERC20VotesUpgradeable.sol";
import {NoncesUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/NoncesUpgradeable.sol";
import {PausableUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/PausableUpgradeable.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IGovernanceToken} from "./IGovernanceToken.sol";

/// @title GovernanceToken
/// @notice ImpactChain's voting token (IMPACT): ERC-20 with permit and vote delegation, minted
/// 1:1 for native donations (1 IMPACT per 1 MATIC) and at a governance-set rate for ERC-20
/// donations, under a hard cap of 1,000,000,000 tokens.
/// @dev UUPS upgradeable; upgrades need `UPGRADER_ROLE`, which the DAO's timelock holds. Own
/// state lives in ERC-7201 namespaced storage so upgrades can append fields safely.
///
/// Pausing halts transfers (and therefore delegated-vote moves between holders) but NOT
/// minting: donations keep being recorded and rewarded while transfers are frozen, so an
/// emergency on the market side never blocks the charity side. There is no burn path.
///
/// Balances and supply are kept by this contract, not by OpenZeppelin's ERC20 storage: each
/// account's balance sits in one slot with its donation total, and the total supply is the
/// latest total-supply checkpoint that ERC20Votes keeps anyway, instead of a second counter
/// written on every mint. `_update` does ERC20's bookkeeping on that storage (same errors, same
/// `Transfer` event) and then ERC20Votes' vote moves; OpenZeppelin's `_balances` and
/// `_totalSupply` are never written.
contract GovernanceToken is
    Initializable,
    ERC20Upgradeable,
    ERC20PermitUpgradeable,
    ERC20VotesUpgradeable,
    AccessControlUpgradeable,
    PausableUpgradeable,
    UUPSUpgradeable,
    IGovernanceToken
{
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    bytes32 public constant UPGRADER_ROLE = keccak256("UPGRADER_ROLE");
    /// @notice Held by the platform's donation contracts; may record donations (which mint).
    bytes32 public constant DONATION_RECORDER_ROLE = keccak256("DONATION_RECORDER_ROLE");
    /// @notice Held by the DAO's timelock only; sets ERC-20 donation rates.
    bytes32 public constant RATE_SETTER_ROLE = keccak256("RATE_SETTER_ROLE");

    uint256 private constant _CAP = 1_000_000_000 * 1e18;
    /// @dev Rates are token wei minted per currency base unit, scaled by 1e18.
    uint256 private constant _RATE_SCALE = 1e18;

    /// @dev An account's balance and its cumulative MATIC-equivalent donations share one slot, so
    /// a first-time donor's donation creates one storage slot where a separate ledger would
    /// create two. Both fit: a balance never exceeds the cap (1e27 < 2^128), and 2^128 wei is
    /// about 3.4e20 MATIC, far beyond all MATIC in existence (`recordDonation` checks anyway).
    struct Account {
        uint128 balance;
        uint128 donated;
    }

    /// @custom:storage-location erc7201:impactchain.storage.GovernanceToken
    /// @dev Layout 2 (balances moved here from ERC20's storage). A proxy initialized with an
    /// earlier implementation cannot be upgraded to this one: its balances would be left behind.
    struct GovernanceTokenStorage {
        mapping(address account => Account) accounts;
        mapping(address currency => uint256) donationRate;
    }

    // keccak256(abi.encode(uint256(keccak256("impactchain.storage.GovernanceToken")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant _STORAGE_LOCATION =
        0x9564ce321c210000901b5db58e57445ba39c2441ba46a7b8eb4182e70f349000;

    /// @notice `donor` gave `amount` of `currency` (address(0) = native MATIC), worth
    /// `maticEquivalent` wei, for which `maticEquivalent` token wei were minted; `donorTotal`
    /// is the donor's cumulative MATIC-equivalent donated.
    event DonationRecorded(
        address indexed donor,
        address indexed currency,
        uint256 amount,
        uint256 maticEquivalent,
        uint256 donorTotal
    );
    /// @notice Governance set the rate for ERC-20 `currency` from `previousRate` to `newRate`.
    event DonationRateSet(address indexed currency, uint256 previousRate, uint256 newRate);
    /// @notice `minter` minted to `recipients` accounts in one batch, `total` token wei in all
    /// (each credit also emits its own `Transfer`).
    event BatchMinted(address indexed minter, uint256 recipients, uint256 total);

    error GovernanceTokenZeroAddress();
    error GovernanceTokenZeroAmount();
    error GovernanceTokenCapExceeded(uint256 supplyAfterMint, uint256 cap);
    error GovernanceTokenTransfersPaused();
    error GovernanceTokenLengthMismatch(uint256 recipients, uint256 amounts);
    error GovernanceTokenEmptyBatch();
    error GovernanceTokenUnsupportedCurrency(address currency);
    error GovernanceTokenDonationTooSmall(address currency, uint256 amount);

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @notice Set up the proxy: `admin` receives every role; the deploy script hands them to
    /// the timelock and the donation contracts, then renounces.
    function initialize(address admin) external initializer {
        if (admin == address(0)) revert GovernanceTokenZeroAddress();
        __ERC20_init("ImpactChain Governance", "IMPACT");
        __ERC20Permit_init("ImpactChain Governance");
        __ERC20Votes_init();
        __AccessControl_init();
        __Pausable_init();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(MINTER_ROLE, admin);
        _grantRole(PAUSER_ROLE, admin);
        _grantRole(UPGRADER_ROLE, admin);
        _grantRole(RATE_SETTER_ROLE, admin);
    }

    // ----- supply -----

    /// @notice The hard cap on total supply: 1,000,000,000 tokens (18 decimals).
    function cap() public pure returns (uint256) {
        return _CAP;
    }

    /// @notice Mint `amount` to `to`. Allowed while paused.
    function mint(address to, uint256 amount) external onlyRole(MINTER_ROLE) {
        if (to == address(0)) revert GovernanceTokenZeroAddress();
        if (amount == 0) revert GovernanceTokenZeroAmount();
        _mint(to, amount);
    }

    /// @notice Mint `amounts[i]` to `to[i]` for every i, in one transaction.
    /// @dev Cheaper per recipient than `mint`: one transaction, one role check, and the cap is
    /// checked once against the batch total instead of after every credit.
    function mintBatch(address[] calldata to, uint256[] calldata amounts) external onlyRole(MINTER_ROLE) {
        uint256 count = to.length;
        if (count != amounts.length) revert GovernanceTokenLengthMismatch(count, amounts.length);
        if (count == 0) revert GovernanceTokenEmptyBatch();
        uint256 total = 0;
        for (uint256 i; i < count; ++i) {
            address recipient = to[i];
            uint256 amount = amounts[i];
            if (recipient == address(0)) revert GovernanceTokenZeroAddress();
            if (amount == 0) revert GovernanceTokenZeroAmount();
            total += amount;
            // Skips the per-mint cap check in `_update`; the total is checked below.
            _move(address(0), recipient, amount);
        }
        _requireWithinCap();
        emit BatchMinted(msg.sender, count, total);
    }

    // ----- donations -----

    /// @notice Record a native donation of `amountWei` by `donor`, minting 1 token per MATIC.
    function recordDonation(address donor, uint256 amountWei) external onlyRole(DONATION_RECORDER_ROLE) {
        _recordDonation(donor, address(0), amountWei, amountWei);
    }

    /// @notice Record a donation of `amount` base units of ERC-20 `currency` by `donor`, minting
    /// its MATIC-equivalent at the governance-set rate (rounded down).
    function recordTokenDonation(address donor, address currency, uint256 amount)
        external
        onlyRole(DONATION_RECORDER_ROLE)
    {
        if (currency == address(0)) revert GovernanceTokenZeroAddress();
        uint256 rate = _storage().donationRate[currency];
        if (rate == 0) revert GovernanceTokenUnsupportedCurrency(currency);
        uint256 maticEquivalent = Math.mulDiv(amount, rate, _RATE_SCALE);
        if (amount != 0 && maticEquivalent == 0) revert GovernanceTokenDonationTooSmall(currency, amount);
        _recordDonation(donor, currency, amount, maticEquivalent);
    }

    /// @notice Set the MATIC-equivalent rate of ERC-20 `currency`: token wei minted per base
    /// unit, scaled by 1e18. Zero disables the currency. Governance (timelock) only.
    function setDonationRate(address currency, uint256 rate) external onlyRole(RATE_SETTER_ROLE) {
        if (currency == address(0)) revert GovernanceTokenZeroAddress();
        GovernanceTokenStorage storage $ = _storage();
        uint256 previous = $.donationRate[currency];
        $.donationRate[currency] = rate;
        emit DonationRateSet(currency, previous, rate);
    }

    /// @notice Token wei minted per base unit of ERC-20 `currency`, scaled by 1e18 (0: not priced).
    function donationRate(address currency) external view returns (uint256) {
        return _storage().donationRate[currency];
    }

    /// @notice Cumulative MATIC-equivalent wei donated by `donor`.
    function donatedBy(address donor) external view returns (uint256) {
        return _storage().accounts[donor].donated;
    }

    // ----- balances -----

    /// @notice All tokens in existence: the latest total-supply checkpoint.
    function totalSupply() public view override returns (uint256) {
        return _getTotalSupply();
    }

    /// @notice The tokens `account` holds.
    function balanceOf(address account) public view override returns (uint256) {
        return _storage().accounts[account].balance;
    }

    // ----- pause -----

    /// @notice Freeze transfers (minting for donations goes on).
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @notice Lift the transfer freeze.
    function unpause() external onlyRole(PAUSER_ROLE) {
        _unpause();
    }

    // ----- overrides -----

    /// @notice The next permit nonce of `owner`.
    function nonces(address owner)
        public
        view
        override(ERC20PermitUpgradeable, NoncesUpgradeable)
        returns (uint256)
    {
        return super.nonces(owner);
    }

    /// @notice The account `account` delegates its votes to (address(0) if none).
    /// @dev address(0) never delegates: `delegate` acts for `msg.sender` and `delegateBySig` for
    /// an ECDSA-recovered signer, which is never zero (recovery reverts instead). So its answer
    /// is known without reading storage, and every mint, which asks for the delegate of `from`
    /// = address(0), skips a cold storage read (2,100 gas).
    function delegates(address account) public view override returns (address) {
        if (account == address(0)) return address(0);
        return super.delegates(account);
    }

    function _update(address from, address to, uint256 value)
        internal
        override(ERC20Upgradeable, ERC20VotesUpgradeable)
    {
        if (from != address(0) && paused()) revert GovernanceTokenTransfersPaused();
        _move(from, to, value);
        if (from == address(0)) _requireWithinCap();
    }

    function _authorizeUpgrade(address) internal override onlyRole(UPGRADER_ROLE) {}

    // ----- internals -----

    function _recordDonation(address donor, address currency, uint256 amount, uint256 maticEquivalent)
        private
    {
        if (donor == address(0)) revert GovernanceTokenZeroAddress();
        if (amount == 0) revert GovernanceTokenZeroAmount();
        Account storage account = _storage().accounts[donor];
        uint256 donorTotal = account.donated + maticEquivalent;
        account.donated = SafeCast.toUint128(donorTotal);
        _mint(donor, maticEquivalent);
        emit DonationRecorded(donor, currency, amount, maticEquivalent, donorTotal);
    }

    /// @dev ERC20's `_update` bookkeeping on this contract's storage, then ERC20Votes' vote
    /// moves (which also push the total-supply checkpoint that `totalSupply` reads). No pause or
    /// cap check: `_update` adds those, and `mintBatch` checks the cap once for the batch.
    function _move(address from, address to, uint256 value) private {
        mapping(address => Account) storage accounts = _storage().accounts;
        if (from != address(0)) {
            uint256 balance = accounts[from].balance;
            if (balance < value) revert ERC20InsufficientBalance(from, balance, value);
            // balance - value >= 0 and < 2^128: it is below the stored balance.
            unchecked {
                accounts[from].balance = uint128(balance - value);
            }
        }
        if (to != address(0)) accounts[to].balance += SafeCast.toUint128(value);
        emit Transfer(from, to, value);
        _transferVotingUnits(from, to, value);
    }

    function _requireWithinCap() private view {
        uint256 supply = totalSupply();
        if (supply > _CAP) revert GovernanceTokenCapExceeded(supply, _CAP);
    }

    function _storage() private pure returns (GovernanceTokenStorage storage $) {
        assembly ("memory-safe") {
            $.slot := _STORAGE_LOCATION
        }
    }
}

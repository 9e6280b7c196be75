// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {Payments} from "../utils/Payments.sol";
import {ICarbonOffsetPayments} from "./ICarbonOffsetPayments.sol";
import {ICarbonOffsetter} from "./ICarbonOffsetter.sol";

/// @title ToucanOffsetAdapter
/// @notice The platform's payment interface (`ICarbonOffsetPayments`) on top of a Toucan TCO2 for
/// real networks, where the TCO2 only retires credits its caller already holds.
///
/// How a payment becomes a retirement: the adapter holds an inventory of the TCO2 (the DAO's
/// carbon desk buys credits off-chain or on a DEX and transfers them here; there is no swap in
/// this contract). A payment buys `payment * 1e18 / price` credits at the admin-set price for its
/// currency, rounded down, and the adapter retires exactly that many at once with the TCO2's
/// `retire`, returning Toucan's retirement event id and the amount. The whole payment, dust
/// included, stays here as proceeds the admin withdraws to restock. The beneficiary is recorded
/// in `CreditsRetired` (Toucan's own `Retired` names the adapter as the retiring entity);
/// certificates are minted off Toucan's event ids later if wanted (`retireAndMintCertificate`
/// returns no id, so it cannot serve a caller that must report one).
///
/// What cannot be covered reverts, never retires less than was paid for: a currency without a
/// price (`ToucanOffsetAdapterTokenNotAccepted`), a payment below one credit unit
/// (`ToucanOffsetAdapterPaymentTooSmall`), a short inventory (`ToucanOffsetAdapterInsufficientCredits`),
/// a TCO2 that did not burn exactly the amount (`ToucanOffsetAdapterRetirementShort`). Payers
/// keep their carbon share owed and retry (AuctionHouse) or count the failure (FundingRound).
///
/// ERC-20 payments are booked at what arrived (balance difference), so a fee-on-transfer token
/// buys credits for what the adapter actually received.
///
/// Admin: a two-step hand-over (OpenZeppelin's AccessControlDefaultAdminRules, with a delay) since
/// the admin may be a carbon desk's multisig rather than the DAO timelock.
contract ToucanOffsetAdapter is ICarbonOffsetPayments, AccessControlDefaultAdminRules, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice The payment token address that stands for the chain's native token.
    address public constant NATIVE = Payments.NATIVE;
    uint256 private constant ONE_TONNE = 1e18;

    IERC20 private immutable _tco2;
    /// @dev Payment units per tonne (1e18 credits); 0 = not accepted.
    mapping(address paymentToken => uint256) private _pricePerTonne;

    /// @notice A payment of `payment` in `paymentToken` from `payer` retired `amount` credits for
    /// `beneficiary` as Toucan retirement `retirementEventId`.
    event CreditsRetired(
        uint256 indexed retirementEventId,
        address indexed payer,
        address indexed beneficiary,
        address paymentToken,
        uint256 payment,
        uint256 amount
    );
    /// @notice The admin set the price of one tonne in `paymentToken` (0 = no longer accepted).
    event PriceSet(address indexed paymentToken, uint256 pricePerTonne);
    /// @notice The admin withdrew `amount` of `paymentToken` proceeds to `to`.
    event ProceedsWithdrawn(address indexed paymentToken, address indexed to, uint256 amount);
    /// @notice The admin moved `amount` credits of inventory to `to`.
    event CreditsWithdrawn(address indexed to, uint256 amount);

    error ToucanOffsetAdapterZeroAddress();
    error ToucanOffsetAdapterZeroAmount();
    error ToucanOffsetAdapterTokenNotAccepted(address paymentToken);
    error ToucanOffsetAdapterPaymentTooSmall(uint256 payment, uint256 pricePerTonne);
    error ToucanOffsetAdapterInsufficientCredits(uint256 requested, uint256 available);
    error ToucanOffsetAdapterRetirementShort(uint256 expected, uint256 burned);
    error ToucanOffsetAdapterInsufficientProceeds(uint256 requested, uint256 available);
    error ToucanOffsetAdapterUseOffset();

    /// @param adminDelay Seconds a default-admin hand-over waits before it can be accepted.
    /// @param admin Sets prices, withdraws proceeds and inventory.
    /// @param tco2 The Toucan TCO2 (an ERC-20 with `retire`) whose credits the adapter holds and retires.
    constructor(uint48 adminDelay, address admin, address tco2) AccessControlDefaultAdminRules(adminDelay, admin) {
        if (tco2 == address(0)) revert ToucanOffsetAdapterZeroAddress();
        _tco2 = IERC20(tco2);
    }

    // ----- payments -----

    /// @notice Buy and retire credits for `beneficiary` with the attached native value.
    function offset(
        address beneficiary
    ) external payable nonReentrant returns (uint256 retirementEventId, uint256 amount) {
        return _offset(NATIVE, msg.value, beneficiary);
    }

    /// @notice Buy and retire credits for `beneficiary` with `payment` of `paymentToken` (approved
    /// first). Credits are bought for what arrived.
    function offsetWithToken(
        address paymentToken,
        uint256 payment,
        address beneficiary
    ) external nonReentrant returns (uint256 retirementEventId, uint256 amount) {
        if (paymentToken == NATIVE) revert ToucanOffsetAdapterTokenNotAccepted(paymentToken);
        if (_pricePerTonne[paymentToken] == 0) revert ToucanOffsetAdapterTokenNotAccepted(paymentToken);
        IERC20 token = IERC20(paymentToken);
        uint256 before = token.balanceOf(address(this));
        token.safeTransferFrom(msg.sender, address(this), payment);
        return _offset(paymentToken, token.balanceOf(address(this)) - before, beneficiary);
    }

    // ----- admin -----

    /// @notice Set the price of one tonne in `paymentToken` (address(0) = native); 0 stops accepting it.
    function setPrice(address paymentToken, uint256 pricePerTonne) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (paymentToken == address(_tco2)) revert ToucanOffsetAdapterTokenNotAccepted(paymentToken);
        _pricePerTonne[paymentToken] = pricePerTonne;
        emit PriceSet(paymentToken, pricePerTonne);
    }

    /// @notice Withdraw `amount` of `paymentToken` proceeds (address(0) = native) to `to`, e.g. to restock.
    function withdrawProceeds(
        address paymentToken,
        address payable to,
        uint256 amount
    ) external onlyRole(DEFAULT_ADMIN_ROLE) nonReentrant {
        if (paymentToken == address(_tco2)) revert ToucanOffsetAdapterTokenNotAccepted(paymentToken);
        if (to == address(0)) revert ToucanOffsetAdapterZeroAddress();
        if (amount == 0) revert ToucanOffsetAdapterZeroAmount();
        uint256 available = paymentToken == NATIVE
            ? address(this).balance
            : IERC20(paymentToken).balanceOf(address(this));
        if (amount > available) revert ToucanOffsetAdapterInsufficientProceeds(amount, available);
        emit ProceedsWithdrawn(paymentToken, to, amount);
        Payments.pay(paymentToken, to, amount);
    }

    /// @notice Move `amount` credits of inventory to `to` (e.g. to a new adapter).
    function withdrawCredits(address to, uint256 amount) external onlyRole(DEFAULT_ADMIN_ROLE) nonReentrant {
        if (to == address(0)) revert ToucanOffsetAdapterZeroAddress();
        if (amount == 0) revert ToucanOffsetAdapterZeroAmount();
        emit CreditsWithdrawn(to, amount);
        _tco2.safeTransfer(to, amount);
    }

    /// @notice Plain transfers are refused: native payments go through `offset` to be recorded.
    receive() external payable {
        revert ToucanOffsetAdapterUseOffset();
    }

    // ----- views -----

    /// @notice The TCO2 whose credits the adapter holds and retires.
    function tco2() external view returns (address) {
        return address(_tco2);
    }

    /// @notice Payment units of `paymentToken` per tonne (0 = not accepted).
    function priceOf(address paymentToken) external view returns (uint256) {
        return _pricePerTonne[paymentToken];
    }

    /// @notice Credits the adapter holds for payments to buy.
    function availableCredits() external view returns (uint256) {
        return _tco2.balanceOf(address(this));
    }

    /// @notice Credits a payment of `payment` in `paymentToken` buys now (0 if not accepted).
    function quote(address paymentToken, uint256 payment) external view returns (uint256) {
        uint256 price = _pricePerTonne[paymentToken];
        return price == 0 ? 0 : (payment * ONE_TONNE) / price;
    }

    /// @notice ERC-165: also answers for `ICarbonOffsetPayments`, so a deploy script or a payer can
    /// tell this adapter (or the CarbonPool) from a bare TCO2.
    function supportsInterface(bytes4 interfaceId) public view override returns (bool) {
        return interfaceId == type(ICarbonOffsetPayments).interfaceId || super.supportsInterface(interfaceId);
    }

    // ----- internals -----

    function _offset(
        address paymentToken,
        uint256 payment,
        address beneficiary
    ) private returns (uint256 retirementEventId, uint256 amount) {
        if (beneficiary == address(0)) revert ToucanOffsetAdapterZeroAddress();
        if (payment == 0) revert ToucanOffsetAdapterZeroAmount();
        uint256 price = _pricePerTonne[paymentToken];
        if (price == 0) revert ToucanOffsetAdapterTokenNotAccepted(paymentToken);
        amount = (payment * ONE_TONNE) / price;
        if (amount == 0) revert ToucanOffsetAdapterPaymentTooSmall(payment, price);
        uint256 available = _tco2.balanceOf(address(this));
        if (amount > available) revert ToucanOffsetAdapterInsufficientCredits(amount, available);

        retirementEventId = ICarbonOffsetter(address(_tco2)).retire(amount);
        // A TCO2 that burned anything but `amount` is not the token this adapter was built for.
        uint256 left = _tco2.balanceOf(address(this));
        uint256 burned = left > available ? 0 : available - left;
        if (burned != amount) revert ToucanOffsetAdapterRetirementShort(amount, burned);
        emit CreditsRetired(retirementEventId, msg.sender, beneficiary, paymentToken, payment, amount);
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {Payments} from "../utils/Payments.sol";
import {ICarbonOffsetPayments} from "./ICarbonOffsetPayments.sol";
import {ICarbonOffsetter} from "./ICarbonOffsetter.sol";
import {TestTCO2} from "../test/TestTCO2.sol";

/// @title CarbonPool
/// @notice A local stand-in for Toucan on development and test chains: retires TCO2-like credits,
/// numbers every retirement, and mints retirement certificates (this contract is the ERC-721).
///
/// Two ways in:
/// - `retire` / `retireAndMintCertificate` (the Toucan calls): burn the caller's own credits.
/// - `offset` / `offsetWithToken`: a payment (e.g. the carbon share of a finalized payout) buys
///   credits from the pool's own inventory at the admin-set price and retires them at once for
///   `beneficiary`. Credits = payment * 1e18 / price, rounded down; the whole payment, dust
///   included, stays in the pool's treasury, which the admin withdraws to pay the credit seller.
///   An offset reverts when the inventory is short, it never retires less than was paid for.
///
/// ERC-20 payments are booked at what arrived (balance difference), so a fee-on-transfer token
/// buys credits for the amount the pool received. The admin is the DAO timelock after the deploy's
/// hand-over (grant to the timelock, then the deployer renounces), so no two-step hand-over here.
///
/// Every retirement emits Toucan's `Retired(sender, amount, eventId)` plus the richer
/// `RetirementRecorded` (indexed by event id, retiring entity and beneficiary); the transaction
/// that retired is the one carrying those logs.
contract CarbonPool is ICarbonOffsetter, ICarbonOffsetPayments, ERC721, AccessControl, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice The payment token address that stands for the chain's native token.
    address public constant NATIVE = Payments.NATIVE;
    uint256 private constant ONE_TONNE = 1e18;

    struct Retirement {
        address retiringEntity;
        address beneficiary;
        uint64 retiredAt;
        uint256 amount;
    }

    TestTCO2 private immutable _credits;
    mapping(uint256 retirementEventId => Retirement) private _retirements;
    mapping(uint256 certificateId => uint256 retirementEventId) private _certificateRetirement;
    /// @dev Payment units per tonne (1e18 credits); 0 = not accepted.
    mapping(address paymentToken => uint256) private _pricePerTonne;
    uint256 private _lastRetirementEventId;
    uint256 private _lastCertificateId;
    uint256 private _totalRetired;

    /// @notice Retirement `retirementEventId` burned `amount` credits, retired by `retiringEntity` for `beneficiary`.
    event RetirementRecorded(
        uint256 indexed retirementEventId,
        address indexed retiringEntity,
        address indexed beneficiary,
        uint256 amount
    );
    /// @notice `payer` paid `payment` of `paymentToken` for the credits of retirement `retirementEventId`.
    event CreditsPurchased(
        uint256 indexed retirementEventId,
        address indexed payer,
        address indexed paymentToken,
        uint256 payment,
        uint256 amount
    );
    /// @notice Certificate `certificateId` for retirement `retirementEventId` was minted to `owner`.
    event CertificateMinted(
        uint256 indexed certificateId,
        uint256 indexed retirementEventId,
        address indexed owner,
        address beneficiary,
        string retiringEntityString,
        string beneficiaryString,
        string retirementMessage
    );
    /// @notice The admin set the price of one tonne in `paymentToken` (0 = no longer accepted).
    event PriceSet(address indexed paymentToken, uint256 pricePerTonne);
    /// @notice The admin withdrew `amount` of `paymentToken` from the treasury to `to`.
    event TreasuryWithdrawn(address indexed paymentToken, address indexed to, uint256 amount);

    error CarbonPoolZeroAddress();
    error CarbonPoolZeroAmount();
    error CarbonPoolTokenNotAccepted(address paymentToken);
    error CarbonPoolPaymentTooSmall(uint256 payment, uint256 pricePerTonne);
    error CarbonPoolInsufficientCredits(uint256 requested, uint256 available);
    error CarbonPoolInsufficientTreasury(uint256 requested, uint256 available);
    error CarbonPoolUnknownRetirement(uint256 retirementEventId);
    error CarbonPoolUseOffset();

    constructor(address admin, TestTCO2 credits) ERC721("ImpactChain Retirement Certificate", "ICRC") {
        if (admin == address(0) || address(credits) == address(0)) revert CarbonPoolZeroAddress();
        _credits = credits;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    // ----- the Toucan calls: retire the caller's own credits -----

    /// @inheritdoc ICarbonOffsetter
    function retire(uint256 amount) external returns (uint256 retirementEventId) {
        return _retire(msg.sender, msg.sender, amount);
    }

    /// @inheritdoc ICarbonOffsetter
    function retireAndMintCertificate(
        string calldata retiringEntityString,
        address beneficiary,
        string calldata beneficiaryString,
        string calldata retirementMessage,
        uint256 amount
    ) external {
        if (beneficiary == address(0)) revert CarbonPoolZeroAddress();
        uint256 retirementEventId = _retire(msg.sender, beneficiary, amount);
        uint256 certificateId = ++_lastCertificateId;
        _certificateRetirement[certificateId] = retirementEventId;
        emit CertificateMinted(
            certificateId,
            retirementEventId,
            msg.sender,
            beneficiary,
            retiringEntityString,
            beneficiaryString,
            retirementMessage
        );
        _safeMint(msg.sender, certificateId);
    }

    // ----- payments buy and retire pool inventory -----

    /// @notice Buy and retire credits for `beneficiary` with the attached native value.
    function offset(
        address beneficiary
    ) external payable nonReentrant returns (uint256 retirementEventId, uint256 amount) {
        return _offset(NATIVE, msg.value, beneficiary);
    }

    /// @notice Buy and retire credits for `beneficiary` with `payment` of `paymentToken` (approved
    /// first). Credits are bought for what arrived, so a fee-on-transfer token pays its fee itself.
    function offsetWithToken(
        address paymentToken,
        uint256 payment,
        address beneficiary
    ) external nonReentrant returns (uint256 retirementEventId, uint256 amount) {
        if (paymentToken == NATIVE || _pricePerTonne[paymentToken] == 0) {
            revert CarbonPoolTokenNotAccepted(paymentToken);
        }
        // Booked at what arrived: a fee-on-transfer token buys credits for the amount received.
        IERC20 token = IERC20(paymentToken);
        uint256 before = token.balanceOf(address(this));
        token.safeTransferFrom(msg.sender, address(this), payment);
        return _offset(paymentToken, token.balanceOf(address(this)) - before, beneficiary);
    }

    // ----- admin -----

    /// @notice Set the price of one tonne in `paymentToken` (address(0) = native); 0 stops accepting it.
    function setPrice(address paymentToken, uint256 pricePerTonne) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (paymentToken == address(_credits)) revert CarbonPoolTokenNotAccepted(paymentToken);
        _pricePerTonne[paymentToken] = pricePerTonne;
        emit PriceSet(paymentToken, pricePerTonne);
    }

    /// @notice Withdraw `amount` of `paymentToken` (address(0) = native) from the treasury to `to`.
    function withdrawTreasury(
        address paymentToken,
        address payable to,
        uint256 amount
    ) external onlyRole(DEFAULT_ADMIN_ROLE) nonReentrant {
        if (to == address(0)) revert CarbonPoolZeroAddress();
        if (amount == 0) revert CarbonPoolZeroAmount();
        uint256 available = paymentToken == NATIVE
            ? address(this).balance
            : IERC20(paymentToken).balanceOf(address(this));
        if (amount > available) revert CarbonPoolInsufficientTreasury(amount, available);
        emit TreasuryWithdrawn(paymentToken, to, amount);
        Payments.pay(paymentToken, to, amount);
    }

    /// @notice Plain transfers are refused: native payments go through `offset` to be recorded.
    receive() external payable {
        revert CarbonPoolUseOffset();
    }

    // ----- views -----

    /// @notice The credit token the pool sells and retires.
    function credits() external view returns (TestTCO2) {
        return _credits;
    }

    /// @notice Payment units of `paymentToken` per tonne (0 = not accepted).
    function priceOf(address paymentToken) external view returns (uint256) {
        return _pricePerTonne[paymentToken];
    }

    /// @notice Credits the pool holds for payments to buy.
    function availableCredits() external view returns (uint256) {
        return _credits.balanceOf(address(this));
    }

    /// @notice Credits a payment of `payment` in `paymentToken` buys now (0 if not accepted).
    function quote(address paymentToken, uint256 payment) external view returns (uint256) {
        uint256 price = _pricePerTonne[paymentToken];
        return price == 0 ? 0 : (payment * ONE_TONNE) / price;
    }

    /// @notice Who retired what for whom in retirement `retirementEventId`.
    function retirement(uint256 retirementEventId) external view returns (Retirement memory) {
        Retirement memory record = _retirements[retirementEventId];
        if (record.retiringEntity == address(0)) revert CarbonPoolUnknownRetirement(retirementEventId);
        return record;
    }

    /// @notice The retirement certificate `certificateId` stands for.
    function certificateRetirement(uint256 certificateId) external view returns (uint256) {
        _requireOwned(certificateId);
        return _certificateRetirement[certificateId];
    }

    /// @notice The id of the latest retirement (0 before the first).
    function lastRetirementEventId() external view returns (uint256) {
        return _lastRetirementEventId;
    }

    /// @notice Credits retired through the pool so far.
    function totalRetired() external view returns (uint256) {
        return _totalRetired;
    }

    /// @notice ERC-165: ERC-721, AccessControl, and the carbon interfaces `ICarbonOffsetPayments`
    /// and `ICarbonOffsetter`, so a deploy script or payer can check an offsetter address cheaply.
    function supportsInterface(bytes4 interfaceId) public view override(ERC721, AccessControl) returns (bool) {
        return
            interfaceId == type(ICarbonOffsetPayments).interfaceId ||
            interfaceId == type(ICarbonOffsetter).interfaceId ||
            super.supportsInterface(interfaceId);
    }

    // ----- internals -----

    function _offset(
        address paymentToken,
        uint256 payment,
        address beneficiary
    ) private returns (uint256 retirementEventId, uint256 amount) {
        if (beneficiary == address(0)) revert CarbonPoolZeroAddress();
        if (payment == 0) revert CarbonPoolZeroAmount();
        uint256 price = _pricePerTonne[paymentToken];
        if (price == 0) revert CarbonPoolTokenNotAccepted(paymentToken);
        amount = (payment * ONE_TONNE) / price;
        if (amount == 0) revert CarbonPoolPaymentTooSmall(payment, price);
        uint256 available = _credits.balanceOf(address(this));
        if (amount > available) revert CarbonPoolInsufficientCredits(amount, available);

        retirementEventId = _record(msg.sender, beneficiary, amount);
        emit CreditsPurchased(retirementEventId, msg.sender, paymentToken, payment, amount);
        _credits.burnRetired(address(this), amount);
    }

    function _retire(address holder, address beneficiary, uint256 amount) private returns (uint256 retirementEventId) {
        if (amount == 0) revert CarbonPoolZeroAmount();
        retirementEventId = _record(holder, beneficiary, amount);
        // Reverts with ERC20InsufficientBalance when the holder has fewer credits.
        _credits.burnRetired(holder, amount);
    }

    function _record(
        address retiringEntity,
        address beneficiary,
        uint256 amount
    ) private returns (uint256 retirementEventId) {
        retirementEventId = ++_lastRetirementEventId;
        _retirements[retirementEventId] = Retirement({
            retiringEntity: retiringEntity,
            beneficiary: beneficiary,
            retiredAt: uint64(block.timestamp),
            amount: amount
        });
        _totalRetired += amount;
        emit Retired(retiringEntity, amount, retirementEventId);
        emit RetirementRecorded(retirementEventId, retiringEntity, beneficiary, amount);
    }
}

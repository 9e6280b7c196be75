// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IGovernanceToken} from "../governance/IGovernanceToken.sol";
import {IReputationBadge} from "../reputation/IReputationBadge.sol";
import {Payments} from "../utils/Payments.sol";

/// @title HelpDesk
/// @notice Direct help requests with donations held in escrow per request and per currency.
/// Anyone opens a request; donors give native MATIC or allowlisted ERC-20s into its escrow;
/// the requester withdraws only what the DAO approved (an executed HELP_REQUEST proposal, via
/// the timelock holding APPROVER_ROLE), or, for a critical request the DAO flagged as an
/// emergency, what the guardian council released up to a per-currency cap. Rejected or expired
/// requests let donors pull back their share of what was never approved.
/// @dev Request 0 is the general fund, owned by the treasury: it never expires and cannot be
/// rejected; donations without a chosen request go there and the DAO approves its spending.
/// Every change to a request's money is emitted, so donated, approved, withdrawn and refunded
/// amounts per request and currency can be rebuilt from events alone.
contract HelpDesk is AccessControl, Pausable, ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @notice Approves withdrawals, flags emergencies and rejects requests: the DAO timelock.
    bytes32 public constant APPROVER_ROLE = keccak256("APPROVER_ROLE");
    /// @notice Releases emergency funds for flagged critical requests: the guardian council.
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");

    /// @notice The currency id of the native token (MATIC on Polygon).
    address public constant NATIVE = Payments.NATIVE;
    uint256 public constant GENERAL_FUND = 0;
    uint256 public constant MAX_REQUEST_DURATION = 365 days;
    uint256 public constant MAX_GEOHASH_LENGTH = 12;
    /// @notice Reputation points recorded per donation (ActivityKind.DONATION).
    uint256 public constant DONATION_POINTS = 10;

    enum Status {
        Open,
        Rejected
    }

    struct Request {
        address requester;
        uint64 deadline; // 0 = never expires (the general fund only)
        bool critical;
        bool emergency;
        Status status;
        address goalCurrency;
        uint256 goalAmount;
    }

    /// @notice Money of one request in one currency. Invariant: approved + refunded <= donated,
    /// withdrawn <= approved, and the contract holds at least donated - withdrawn - refunded.
    struct Ledger {
        uint256 donated;
        uint256 approved;
        uint256 withdrawn;
        uint256 refunded;
        uint256 emergencyReleased;
    }

    mapping(uint256 requestId => Request) private _requests;
    uint256 private _requestCount;
    mapping(uint256 requestId => mapping(address currency => Ledger)) private _ledgers;
    mapping(uint256 requestId => mapping(address currency => mapping(address donor => uint256))) private
        _contributions;
    mapping(uint256 requestId => mapping(address currency => mapping(address donor => bool))) private
        _refundClaimed;
    mapping(address currency => bool) private _allowedCurrencies;
    mapping(address currency => uint256) private _emergencyCaps;
    IGovernanceToken private _donationRecorder;
    IReputationBadge private _activityRecorder;

    event HelpRequestOpened(
        uint256 indexed requestId,
        address indexed requester,
        address indexed goalCurrency,
        uint256 goalAmount,
        string category,
        string geohash,
        string evidenceCid,
        bool critical,
        uint64 deadline
    );
    event Donated(
        uint256 indexed requestId, address indexed donor, address indexed currency, uint256 amount, uint256 donorTotal
    );
    event WithdrawalApproved(uint256 indexed requestId, address indexed currency, uint256 amount, uint256 approvedTotal);
    event EmergencyFlagged(uint256 indexed requestId, address indexed approver);
    event EmergencyReleased(
        uint256 indexed requestId, address indexed currency, uint256 amount, uint256 releasedTotal, uint256 cap
    );
    event Withdrawn(uint256 indexed requestId, address indexed requester, address indexed currency, uint256 amount);
    event HelpRequestRejected(uint256 indexed requestId, address indexed approver);
    event Refunded(uint256 indexed requestId, address indexed donor, address indexed currency, uint256 amount);
    event CurrencyAllowed(address indexed currency, bool allowed);
    event EmergencyCapSet(address indexed currency, uint256 cap);
    event RewardsConfigured(address donationRecorder, address activityRecorder);
    /// @notice Minting governance tokens or recording reputation failed; the donation stands.
    event DonationRewardFailed(uint256 indexed requestId, address indexed donor, address indexed currency, bytes reason);

    error HelpDeskZeroAddress();
    error HelpDeskZeroAmount();
    error HelpDeskUnknownRequest(uint256 requestId);
    error HelpDeskRequestNotOpen(uint256 requestId);
    error HelpDeskGeneralFundIsPermanent();
    error HelpDeskUnsupportedCurrency(address currency);
    error HelpDeskBadDeadline(uint64 deadline, uint256 latest);
    error HelpDeskBadGeohash(string geohash);
    error HelpDeskEmptyEvidence();
    error HelpDeskExceedsAvailable(uint256 requested, uint256 available);
    error HelpDeskExceedsApproved(uint256 requested, uint256 withdrawable);
    error HelpDeskNotRequester(address caller, address requester);
    error HelpDeskNotCritical(uint256 requestId);
    error HelpDeskNotEmergency(uint256 requestId);
    error HelpDeskEmergencyCapExceeded(uint256 requested, uint256 remaining);
    error HelpDeskNothingToRefund(uint256 requestId, address donor);
    error HelpDeskUseDonate();

    constructor(address admin, address treasury) {
        if (admin == address(0) || treasury == address(0)) revert HelpDeskZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(APPROVER_ROLE, admin);
        _grantRole(PAUSER_ROLE, admin);
        _allowedCurrencies[NATIVE] = true;
        emit CurrencyAllowed(NATIVE, true);
        _requests[GENERAL_FUND] = Request(treasury, 0, false, false, Status.Open, NATIVE, 0);
        _requestCount = 1;
        emit HelpRequestOpened(GENERAL_FUND, treasury, NATIVE, 0, "general", "", "", false, 0);
    }

    // ----- requests -----

    /// @notice Open a help request; returns its id.
    function openRequest(
        address goalCurrency,
        uint256 goalAmount,
        string calldata category,
        string calldata geohash,
        string calldata evidenceCid,
        bool critical,
        uint64 deadline
    ) external whenNotPaused returns (uint256 requestId) {
        if (!_allowedCurrencies[goalCurrency]) revert HelpDeskUnsupportedCurrency(goalCurrency);
        if (goalAmount == 0) revert HelpDeskZeroAmount();
        uint256 latest = block.timestamp + MAX_REQUEST_DURATION;
        if (deadline <= block.timestamp || deadline > latest) revert HelpDeskBadDeadline(deadline, latest);
        uint256 geohashLength = bytes(geohash).length;
        if (geohashLength == 0 || geohashLength > MAX_GEOHASH_LENGTH) revert HelpDeskBadGeohash(geohash);
        if (bytes(evidenceCid).length == 0) revert HelpDeskEmptyEvidence();
        requestId = _requestCount++;
        _requests[requestId] = Request(msg.sender, deadline, critical, false, Status.Open, goalCurrency, goalAmount);
        emit HelpRequestOpened(
            requestId, msg.sender, goalCurrency, goalAmount, category, geohash, evidenceCid, critical, deadline
        );
    }

    /// @notice Reject a request: no more donations or approvals; donors may claim refunds.
    function rejectRequest(uint256 requestId) external onlyRole(APPROVER_ROLE) {
        if (requestId == GENERAL_FUND) revert HelpDeskGeneralFundIsPermanent();
        _requireActive(requestId);
        _requests[requestId].status = Status.Rejected;
        emit HelpRequestRejected(requestId, msg.sender);
    }

    // ----- donations -----

    /// @notice Donate the attached native value to request `requestId` (0 = the general fund).
    function donate(uint256 requestId) external payable whenNotPaused {
        _donate(requestId, NATIVE, msg.value);
    }

    /// @notice Donate `amount` of allowlisted ERC-20 `token` (approve it first).
    function donateToken(uint256 requestId, address token, uint256 amount) external whenNotPaused nonReentrant {
        if (token == NATIVE) revert HelpDeskUnsupportedCurrency(token);
        // Count what arrived, not what was asked for: fee-on-transfer tokens deliver less.
        IERC20 erc20 = IERC20(token);
        uint256 before = erc20.balanceOf(address(this));
        erc20.safeTransferFrom(msg.sender, address(this), amount);
        _donate(requestId, token, erc20.balanceOf(address(this)) - before);
    }

    // ----- approvals and withdrawals -----

    /// @notice Approve `amount` of `currency` for the requester to withdraw (an executed DAO proposal).
    function approveWithdrawal(uint256 requestId, address currency, uint256 amount) external onlyRole(APPROVER_ROLE) {
        _approve(requestId, currency, amount);
        emit WithdrawalApproved(requestId, currency, amount, _ledgers[requestId][currency].approved);
    }

    /// @notice Flag a critical request as an emergency (an executed emergency DAO proposal).
    function flagEmergency(uint256 requestId) external onlyRole(APPROVER_ROLE) {
        _requireActive(requestId);
        if (!_requests[requestId].critical) revert HelpDeskNotCritical(requestId);
        _requests[requestId].emergency = true;
        emit EmergencyFlagged(requestId, msg.sender);
    }

    /// @notice Release up to the emergency cap of `currency` for a flagged request (guardian council).
    function emergencyRelease(uint256 requestId, address currency, uint256 amount)
        external
        onlyRole(GUARDIAN_ROLE)
        whenNotPaused
    {
        if (!_requests[requestId].emergency) revert HelpDeskNotEmergency(requestId);
        Ledger storage money = _ledgers[requestId][currency];
        uint256 cap = _emergencyCaps[currency];
        uint256 remaining = cap > money.emergencyReleased ? cap - money.emergencyReleased : 0;
        if (amount > remaining) revert HelpDeskEmergencyCapExceeded(amount, remaining);
        _approve(requestId, currency, amount);
        money.emergencyReleased += amount;
        emit EmergencyReleased(requestId, currency, amount, money.emergencyReleased, cap);
    }

    /// @notice The requester pulls `amount` of approved `currency`.
    function withdraw(uint256 requestId, address currency, uint256 amount) external whenNotPaused nonReentrant {
        Request storage helpRequest = _existing(requestId);
        if (msg.sender != helpRequest.requester) revert HelpDeskNotRequester(msg.sender, helpRequest.requester);
        if (amount == 0) revert HelpDeskZeroAmount();
        Ledger storage money = _ledgers[requestId][currency];
        uint256 withdrawable = money.approved - money.withdrawn;
        if (amount > withdrawable) revert HelpDeskExceedsApproved(amount, withdrawable);
        money.withdrawn += amount;
        emit Withdrawn(requestId, msg.sender, currency, amount);
        Payments.pay(currency, msg.sender, amount);
    }

    // ----- refunds -----

    /// @notice A donor of a rejected or expired request pulls back their share of what was never approved.
    function claimRefund(uint256 requestId, address currency) external whenNotPaused nonReentrant {
        uint256 amount = refundable(requestId, currency, msg.sender);
        if (amount == 0) revert HelpDeskNothingToRefund(requestId, msg.sender);
        _refundClaimed[requestId][currency][msg.sender] = true;
        _ledgers[requestId][currency].refunded += amount;
        emit Refunded(requestId, msg.sender, currency, amount);
        Payments.pay(currency, msg.sender, amount);
    }

    /// @notice What `donor` could claim now: contribution × (donated − approved) / donated, rounded down.
    /// @dev Approvals stop when a request stops being active, so the unapproved part is fixed by
    /// then and the rounded-down shares never add up to more than it.
    function refundable(uint256 requestId, address currency, address donor) public view returns (uint256) {
        Request storage helpRequest = _existing(requestId);
        if (_isActive(helpRequest) || _refundClaimed[requestId][currency][donor]) return 0;
        Ledger storage money = _ledgers[requestId][currency];
        if (money.donated == 0) return 0;
        return (_contributions[requestId][currency][donor] * (money.donated - money.approved)) / money.donated;
    }

    // ----- administration (the DAO timelock) -----

    function setCurrencyAllowed(address currency, bool allowed) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _allowedCurrencies[currency] = allowed;
        emit CurrencyAllowed(currency, allowed);
    }

    function setEmergencyCap(address currency, uint256 cap) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _emergencyCaps[currency] = cap;
        emit EmergencyCapSet(currency, cap);
    }

    /// @notice Where donations mint governance tokens and record reputation (zero turns either off).
    function setRewards(IGovernanceToken donationRecorder, IReputationBadge activityRecorder)
        external
        onlyRole(DEFAULT_ADMIN_ROLE)
    {
        _donationRecorder = donationRecorder;
        _activityRecorder = activityRecorder;
        emit RewardsConfigured(address(donationRecorder), address(activityRecorder));
    }

    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    function unpause() external onlyRole(PAUSER_ROLE) {
        _unpause();
    }

    /// @notice Plain transfers are refused so every donation is recorded against a request.
    receive() external payable {
        revert HelpDeskUseDonate();
    }

    // ----- views -----

    function request(uint256 requestId) external view returns (Request memory) {
        return _existing(requestId);
    }

    function ledger(uint256 requestId, address currency) external view returns (Ledger memory) {
        return _ledgers[requestId][currency];
    }

    function contributionOf(uint256 requestId, address currency, address donor) external view returns (uint256) {
        return _contributions[requestId][currency][donor];
    }

    function requestCount() external view returns (uint256) {
        return _requestCount;
    }

    function isActive(uint256 requestId) external view returns (bool) {
        return _isActive(_existing(requestId));
    }

    function isCurrencyAllowed(address currency) external view returns (bool) {
        return _allowedCurrencies[currency];
    }

    function emergencyCap(address currency) external view returns (uint256) {
        return _emergencyCaps[currency];
    }

    function rewards() external view returns (address donationRecorder, address activityRecorder) {
        return (address(_donationRecorder), address(_activityRecorder));
    }

    // ----- internals -----

    function _donate(uint256 requestId, address currency, uint256 amount) private {
        if (amount == 0) revert HelpDeskZeroAmount();
        if (!_allowedCurrencies[currency]) revert HelpDeskUnsupportedCurrency(currency);
        _requireActive(requestId);
        uint256 donorTotal = _contributions[requestId][currency][msg.sender] + amount;
        _contributions[requestId][currency][msg.sender] = donorTotal;
        _ledgers[requestId][currency].donated += amount;
        emit Donated(requestId, msg.sender, currency, amount, donorTotal);
        _reward(requestId, currency, amount);
    }

    function _reward(uint256 requestId, address currency, uint256 amount) private {
        // Rewards are best effort: a paused token or a full cap must not turn donors away.
        if (address(_donationRecorder) != address(0)) {
            if (currency == NATIVE) {
                try _donationRecorder.recordDonation(msg.sender, amount) {}
                catch (bytes memory reason) {
                    emit DonationRewardFailed(requestId, msg.sender, currency, reason);
                }
            } else {
                try _donationRecorder.recordTokenDonation(msg.sender, currency, amount) {}
                catch (bytes memory reason) {
                    emit DonationRewardFailed(requestId, msg.sender, currency, reason);
                }
            }
        }
        if (address(_activityRecorder) != address(0)) {
            uint8 donation = uint8(IReputationBadge.ActivityKind.DONATION);
            try _activityRecorder.recordActivity(msg.sender, donation, DONATION_POINTS) {}
            catch (bytes memory reason) {
                emit DonationRewardFailed(requestId, msg.sender, currency, reason);
            }
        }
    }

    function _approve(uint256 requestId, address currency, uint256 amount) private {
        _requireActive(requestId);
        if (amount == 0) revert HelpDeskZeroAmount();
        Ledger storage money = _ledgers[requestId][currency];
        // Nothing is refunded while a request is active, so this is donated minus approved.
        uint256 available = money.donated - money.approved - money.refunded;
        if (amount > available) revert HelpDeskExceedsAvailable(amount, available);
        money.approved += amount;
    }

    function _existing(uint256 requestId) private view returns (Request storage) {
        if (requestId >= _requestCount) revert HelpDeskUnknownRequest(requestId);
        return _requests[requestId];
    }

    function _requireActive(uint256 requestId) private view {
        if (!_isActive(_existing(requestId))) revert HelpDeskRequestNotOpen(requestId);
    }

    function _isActive(Request storage helpRequest) private view returns (bool) {
        return helpRequest.status == Status.Open
            && (helpRequest.deadline == 0 || block.timestamp <= helpRequest.deadline);
    }
}

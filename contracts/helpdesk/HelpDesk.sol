// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

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
///
/// Reward rule: governance tokens (IMPACT, which are votes) and reputation are given only for
/// money that can no longer come back to the donor. A donation to the general fund is rewarded
/// at once (the fund never refunds). A donation to any other request earns nothing when made;
/// once the request is no longer active (rejected or expired) its approvals are final and each
/// donor pulls, once per request and currency, `contribution * approved / donated` (rounded
/// down) with `claimReward`. Their refund is `contribution * (donated - approved) / donated`, so
/// reward + refund never exceed the contribution: refundable money is never rewarded, and an
/// open-donate-expire-refund loop earns nothing. The requester's own donations to their request
/// earn nothing either: what the DAO approves of them goes back to the requester. Reputation points (DONATION_POINTS) are
/// recorded only when the rewarded amount reaches the currency's DAO-set minimum (1 MATIC for
/// native by default; an ERC-20 without a minimum earns no points), so dust cannot farm them.
///
/// Failed rewards (a missing role, a token refusing to price a currency) never turn a donor
/// away and are never lost silently: they emit `DonationRewardFailed`, and for a claim the part
/// that failed (the mint or the points, tracked apart) stays claimable, so the donor claims it
/// again once the DAO fixed the wiring. Only what was recorded is marked claimed.
/// @dev Request 0 is the general fund, owned by the treasury: it never expires and cannot be
/// rejected; donations without a chosen request go there and the DAO approves its spending.
/// Every change to a request's money is emitted, so donated, approved, withdrawn and refunded
/// amounts per request and currency can be rebuilt from events alone. A request must run for
/// at least the DAO-set minimum duration (1 day by default).
contract HelpDesk is AccessControl, Pausable, ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @notice Approves withdrawals, flags emergencies and rejects requests: the DAO timelock.
    bytes32 public constant APPROVER_ROLE = keccak256("APPROVER_ROLE");
    /// @notice Releases emergency funds for flagged critical requests: the guardian council.
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");
    /// @notice Pauses and unpauses donations, withdrawals, refunds and reward claims: the DAO timelock.
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");

    /// @notice The currency id of the native token (MATIC on Polygon).
    address public constant NATIVE = Payments.NATIVE;
    /// @notice The request id of the general fund, owned by the treasury and rewarded at donation.
    uint256 public constant GENERAL_FUND = 0;
    /// @notice The longest a help request may run, and the ceiling of the minimum duration.
    uint256 public constant MAX_REQUEST_DURATION = 365 days;
    /// @notice The minimum duration of a help request until the DAO sets another.
    uint256 public constant DEFAULT_MIN_REQUEST_DURATION = 1 days;
    /// @notice The longest geohash a request may carry (12 characters is about 3.7 cm).
    uint256 public constant MAX_GEOHASH_LENGTH = 12;
    /// @notice Reputation points recorded per rewarded donation (ActivityKind.DONATION).
    uint256 public constant DONATION_POINTS = 10;
    /// @notice The native reputation minimum until the DAO sets another: 1 MATIC.
    uint256 public constant DEFAULT_NATIVE_REPUTATION_MINIMUM = 1e18;

    // Bits of `_claims[requestId][currency][donor]`.
    uint8 private constant _REFUNDED = 1;
    uint8 private constant _REWARD_MINTED = 2;
    uint8 private constant _POINTS_RECORDED = 4;

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
    /// @dev What a donor has taken out of a closed request in a currency: `_REFUNDED`,
    /// `_REWARD_MINTED`, `_POINTS_RECORDED` bits (one slot for the refund and both reward parts).
    mapping(uint256 requestId => mapping(address currency => mapping(address donor => uint8))) private _claims;
    mapping(address currency => bool) private _allowedCurrencies;
    mapping(address currency => uint256) private _emergencyCaps;
    mapping(address currency => uint256) private _reputationMinimums;
    IGovernanceToken private _donationRecorder;
    IReputationBadge private _activityRecorder;
    uint256 private _minRequestDuration;

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
    /// @notice `donor` was rewarded for what the DAO approved of their donation to closed request
    /// `requestId`: `amount` of `currency` recorded with the token (0 if already or not minted)
    /// and `points` of reputation (0 if below the minimum, already recorded or failed).
    event RewardClaimed(
        uint256 indexed requestId, address indexed donor, address indexed currency, uint256 amount, uint256 points
    );
    /// @notice Help requests opened from now on must run at least `duration` seconds.
    event MinRequestDurationSet(uint256 duration);
    /// @notice A rewarded amount of `currency` earns reputation points from `minimum` on (0: never).
    event ReputationMinimumSet(address indexed currency, uint256 minimum);
    /// @notice Minting governance tokens or recording reputation failed; the donation stands.
    event DonationRewardFailed(uint256 indexed requestId, address indexed donor, address indexed currency, bytes reason);

    error HelpDeskZeroAddress();
    error HelpDeskZeroAmount();
    error HelpDeskUnknownRequest(uint256 requestId);
    error HelpDeskRequestNotOpen(uint256 requestId);
    error HelpDeskGeneralFundIsPermanent();
    error HelpDeskUnsupportedCurrency(address currency);
    error HelpDeskBadDeadline(uint64 deadline, uint256 earliest, uint256 latest);
    error HelpDeskBadMinDuration(uint256 duration, uint256 max);
    error HelpDeskBadGeohash(string geohash);
    error HelpDeskEmptyEvidence();
    error HelpDeskExceedsAvailable(uint256 requested, uint256 available);
    error HelpDeskExceedsApproved(uint256 requested, uint256 withdrawable);
    error HelpDeskNotRequester(address caller, address requester);
    error HelpDeskNotCritical(uint256 requestId);
    error HelpDeskNotEmergency(uint256 requestId);
    error HelpDeskEmergencyCapExceeded(uint256 requested, uint256 remaining);
    error HelpDeskNothingToRefund(uint256 requestId, address donor);
    error HelpDeskNothingToClaim(uint256 requestId, address donor);
    error HelpDeskRewardsOff();
    error HelpDeskRequesterNotRewarded(uint256 requestId, address requester);
    error HelpDeskUseDonate();

    /// @notice Deploy with `admin` (the DAO timelock) holding every admin role and `treasury`
    /// owning the general fund.
    constructor(address admin, address treasury) {
        if (admin == address(0) || treasury == address(0)) revert HelpDeskZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(APPROVER_ROLE, admin);
        _grantRole(PAUSER_ROLE, admin);
        _allowedCurrencies[NATIVE] = true;
        emit CurrencyAllowed(NATIVE, true);
        _minRequestDuration = DEFAULT_MIN_REQUEST_DURATION;
        emit MinRequestDurationSet(DEFAULT_MIN_REQUEST_DURATION);
        _reputationMinimums[NATIVE] = DEFAULT_NATIVE_REPUTATION_MINIMUM;
        emit ReputationMinimumSet(NATIVE, DEFAULT_NATIVE_REPUTATION_MINIMUM);
        _requests[GENERAL_FUND] = Request(treasury, 0, false, false, Status.Open, NATIVE, 0);
        _requestCount = 1;
        emit HelpRequestOpened(GENERAL_FUND, treasury, NATIVE, 0, "general", "", "", false, 0);
    }

    // ----- requests -----

    /// @notice Open a help request running until `deadline` (at least the minimum duration from
    /// now, at most MAX_REQUEST_DURATION); returns its id.
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
        _checkDeadline(deadline);
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
        _claims[requestId][currency][msg.sender] |= _REFUNDED;
        _ledgers[requestId][currency].refunded += amount;
        emit Refunded(requestId, msg.sender, currency, amount);
        Payments.pay(currency, msg.sender, amount);
    }

    /// @notice What `donor` could claim now: contribution × (donated − approved) / donated, rounded down.
    /// @dev Approvals stop when a request stops being active, so the unapproved part is fixed by
    /// then and the rounded-down shares never add up to more than it.
    function refundable(uint256 requestId, address currency, address donor) public view returns (uint256) {
        Request storage helpRequest = _existing(requestId);
        if (_isActive(helpRequest) || _claims[requestId][currency][donor] & _REFUNDED != 0) return 0;
        Ledger storage money = _ledgers[requestId][currency];
        if (money.donated == 0) return 0;
        return (_contributions[requestId][currency][donor] * (money.donated - money.approved)) / money.donated;
    }

    // ----- rewards for closed requests -----

    /// @notice A donor of a rejected or expired request pulls the reward for the part of their
    /// donation the DAO approved: `contribution * approved / donated` (rounded down) recorded
    /// with the governance token, plus DONATION_POINTS if that reaches the currency's minimum.
    /// @dev Each part is marked claimed only once recorded; a part that fails emits
    /// `DonationRewardFailed` and stays claimable. Reverts when nothing is claimable, and when
    /// nothing could be attempted because rewards are not configured.
    function claimReward(uint256 requestId, address currency)
        external
        whenNotPaused
        nonReentrant
        returns (uint256 amount, uint256 points)
    {
        if (msg.sender == _existing(requestId).requester && requestId != GENERAL_FUND) {
            revert HelpDeskRequesterNotRewarded(requestId, msg.sender);
        }
        (uint256 due, uint256 pointsDue) = claimableReward(requestId, currency, msg.sender);
        if (due == 0 && pointsDue == 0) revert HelpDeskNothingToClaim(requestId, msg.sender);
        bool attempted;
        uint8 claims = _claims[requestId][currency][msg.sender];
        if (due != 0 && address(_donationRecorder) != address(0)) {
            attempted = true;
            if (_mintReward(requestId, msg.sender, currency, due)) {
                claims |= _REWARD_MINTED;
                amount = due;
            }
        }
        if (pointsDue != 0 && address(_activityRecorder) != address(0)) {
            attempted = true;
            if (_recordPoints(requestId, msg.sender, currency)) {
                claims |= _POINTS_RECORDED;
                points = pointsDue;
            }
        }
        if (!attempted) revert HelpDeskRewardsOff();
        if (amount == 0 && points == 0) return (0, 0);
        _claims[requestId][currency][msg.sender] = claims;
        emit RewardClaimed(requestId, msg.sender, currency, amount, points);
    }

    /// @notice What `donor` may still claim for a closed request: the `amount` of `currency` to
    /// be rewarded (`contribution * approved / donated`, rounded down) and reputation `points`.
    /// Both 0 while the request is active, for the general fund (rewarded at donation), for the
    /// requester (their approved money comes back to them) and once claimed.
    function claimableReward(uint256 requestId, address currency, address donor)
        public
        view
        returns (uint256 amount, uint256 points)
    {
        Request storage helpRequest = _existing(requestId);
        if (requestId == GENERAL_FUND || _isActive(helpRequest) || donor == helpRequest.requester) return (0, 0);
        Ledger storage money = _ledgers[requestId][currency];
        if (money.donated == 0) return (0, 0);
        // Approvals stop when a request closes, so `approved` is final here.
        uint256 reward = (_contributions[requestId][currency][donor] * money.approved) / money.donated;
        uint8 claims = _claims[requestId][currency][donor];
        if (claims & _REWARD_MINTED == 0) amount = reward;
        if (claims & _POINTS_RECORDED == 0 && _earnsPoints(currency, reward)) points = DONATION_POINTS;
    }

    // ----- administration (the DAO timelock) -----

    /// @notice Allow or refuse donations in `currency` (the DAO).
    function setCurrencyAllowed(address currency, bool allowed) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _allowedCurrencies[currency] = allowed;
        emit CurrencyAllowed(currency, allowed);
    }

    /// @notice Cap what the guardians may release per request in `currency` (the DAO).
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

    /// @notice Help requests opened from now on must run at least `duration` seconds (the DAO);
    /// at most MAX_REQUEST_DURATION.
    function setMinRequestDuration(uint256 duration) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (duration > MAX_REQUEST_DURATION) revert HelpDeskBadMinDuration(duration, MAX_REQUEST_DURATION);
        _minRequestDuration = duration;
        emit MinRequestDurationSet(duration);
    }

    /// @notice A rewarded amount of `currency` earns reputation points from `minimum` on; 0 means
    /// never (the DAO).
    function setReputationMinimum(address currency, uint256 minimum) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _reputationMinimums[currency] = minimum;
        emit ReputationMinimumSet(currency, minimum);
    }

    /// @notice Stop donations, withdrawals, refunds and reward claims (emergency).
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @notice Lift the emergency pause.
    function unpause() external onlyRole(PAUSER_ROLE) {
        _unpause();
    }

    /// @notice Plain transfers are refused so every donation is recorded against a request.
    receive() external payable {
        revert HelpDeskUseDonate();
    }

    // ----- views -----

    /// @notice Request `requestId` as stored.
    function request(uint256 requestId) external view returns (Request memory) {
        return _existing(requestId);
    }

    /// @notice The money of request `requestId` in `currency`.
    function ledger(uint256 requestId, address currency) external view returns (Ledger memory) {
        return _ledgers[requestId][currency];
    }

    /// @notice What `donor` gave to request `requestId` in `currency`, in all.
    function contributionOf(uint256 requestId, address currency, address donor) external view returns (uint256) {
        return _contributions[requestId][currency][donor];
    }

    /// @notice How many requests exist, the general fund included (ids are 0 .. count - 1).
    function requestCount() external view returns (uint256) {
        return _requestCount;
    }

    /// @notice Whether request `requestId` takes donations and approvals (open and not expired).
    function isActive(uint256 requestId) external view returns (bool) {
        return _isActive(_existing(requestId));
    }

    /// @notice Whether donations in `currency` are accepted.
    function isCurrencyAllowed(address currency) external view returns (bool) {
        return _allowedCurrencies[currency];
    }

    /// @notice What the guardians may release per request in `currency`.
    function emergencyCap(address currency) external view returns (uint256) {
        return _emergencyCaps[currency];
    }

    /// @notice Where rewards are recorded (zero: that part is off).
    function rewards() external view returns (address donationRecorder, address activityRecorder) {
        return (address(_donationRecorder), address(_activityRecorder));
    }

    /// @notice The shortest duration a new help request may have, in seconds.
    function minRequestDuration() external view returns (uint256) {
        return _minRequestDuration;
    }

    /// @notice The rewarded amount of `currency` from which reputation points are recorded (0: never).
    function reputationMinimum(address currency) external view returns (uint256) {
        return _reputationMinimums[currency];
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
        if (requestId == GENERAL_FUND) _rewardGeneralFund(currency, amount);
    }

    /// @dev Only the general fund rewards at donation: its money never comes back.
    function _rewardGeneralFund(address currency, uint256 amount) private {
        if (address(_donationRecorder) != address(0)) _mintReward(GENERAL_FUND, msg.sender, currency, amount);
        if (address(_activityRecorder) != address(0) && _earnsPoints(currency, amount)) {
            _recordPoints(GENERAL_FUND, msg.sender, currency);
        }
    }

    /// @dev Best effort: a paused token or a full cap must not turn donors away or block claims.
    function _mintReward(uint256 requestId, address donor, address currency, uint256 amount)
        private
        returns (bool minted)
    {
        if (currency == NATIVE) {
            try _donationRecorder.recordDonation(donor, amount) {
                return true;
            } catch (bytes memory reason) {
                emit DonationRewardFailed(requestId, donor, currency, reason);
            }
        } else {
            try _donationRecorder.recordTokenDonation(donor, currency, amount) {
                return true;
            } catch (bytes memory reason) {
                emit DonationRewardFailed(requestId, donor, currency, reason);
            }
        }
    }

    function _recordPoints(uint256 requestId, address donor, address currency) private returns (bool recorded) {
        uint8 donation = uint8(IReputationBadge.ActivityKind.DONATION);
        try _activityRecorder.recordActivity(donor, donation, DONATION_POINTS) {
            return true;
        } catch (bytes memory reason) {
            emit DonationRewardFailed(requestId, donor, currency, reason);
        }
    }

    function _earnsPoints(address currency, uint256 rewarded) private view returns (bool) {
        uint256 minimum = _reputationMinimums[currency];
        return minimum != 0 && rewarded >= minimum;
    }

    function _checkDeadline(uint64 deadline) private view {
        uint256 earliest = block.timestamp + _minRequestDuration;
        uint256 latest = block.timestamp + MAX_REQUEST_DURATION;
        if (deadline < earliest || deadline > latest || deadline <= block.timestamp) {
            revert HelpDeskBadDeadline(deadline, earliest, latest);
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

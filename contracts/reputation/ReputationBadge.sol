// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";
import {IERC5192} from "./IERC5192.sol";
import {IReputationBadge} from "./IReputationBadge.sol";

/// @title ReputationBadge
/// @notice Soulbound (ERC-5192) ERC-721 badges — VOLUNTEER, DONOR, FOUNDER, VERIFIER, GUARDIAN
/// and types the admin adds — plus a per-account reputation score that decays 5% a year
/// while the account is inactive.
/// @dev Score model: each account has `points` and a `lastActivity` time. Its score at time t is
/// `floor(points × 0.95^((t − lastActivity) / 365 days))`, computed in 1e36 fixed point (see
/// `decayedScore`). Recording an activity resets the clock, so an inactive account recovers
/// its full points by becoming active again, and a contribution adds points on top.
/// `impactchain/reputation.py` mirrors the arithmetic for the API.
///
/// Badge history: every issue and revoke is checkpointed by block number, so `hasBadgeAt` tells
/// whether an account held a badge at a past block (DAOCore checks quadratic-vote eligibility at
/// the proposal's snapshot). A badge revoked after a snapshot still counted at that snapshot.
///
/// Issuance is rate limited: each ISSUER_ROLE holder may issue at most `limit` badges per fixed
/// window of `period` seconds (windows start at multiples of `period` since the epoch, so up to
/// twice the limit can be issued around a window's end). Holders of DEFAULT_ADMIN_ROLE (the DAO's
/// timelock, i.e. an executed ADMIN proposal) are not limited: they also set the limit.
contract ReputationBadge is ERC721, AccessControl, IERC5192, IReputationBadge {
    using Checkpoints for Checkpoints.Trace208;

    /// @notice May issue badges (the platform's onboarding/verification flow).
    bytes32 public constant ISSUER_ROLE = keccak256("ISSUER_ROLE");
    /// @notice Held by platform contracts (donations, governance, volunteering) that record activity.
    bytes32 public constant ACTIVITY_RECORDER_ROLE = keccak256("ACTIVITY_RECORDER_ROLE");

    uint256 public constant VOLUNTEER = 0;
    uint256 public constant DONOR = 1;
    uint256 public constant FOUNDER = 2;
    uint256 public constant VERIFIER = 3;
    uint256 public constant GUARDIAN = 4;

    /// @notice Fixed-point unit of `decayFactor`.
    uint256 public constant SCALE = 1e36;
    uint256 public constant YEAR = 365 days;
    uint256 private constant _DECAY_PER_YEAR = 0.95e36;
    /// @dev floor(−ln(0.95) × 1e36).
    uint256 private constant _NEG_LN_DECAY = 51293294387550533426196144254687238;
    /// @notice Issuance limit set at deployment: badges per issuer per period.
    uint32 public constant DEFAULT_ISSUANCE_LIMIT = 50;
    /// @notice Issuance period set at deployment (seconds).
    uint32 public constant DEFAULT_ISSUANCE_PERIOD = 1 days;

    struct Reputation {
        uint96 points;
        uint64 lastActivity;
    }

    /// @dev Badges one issuer issued in the window starting at `windowStart`.
    struct Issuance {
        uint64 windowStart;
        uint32 issued;
    }

    mapping(uint256 badgeType => string) private _typeNames;
    uint256 private _typeCount;
    mapping(uint256 tokenId => uint256) private _badgeTypeOf;
    mapping(address holder => mapping(uint256 badgeType => uint256 tokenId)) private _badgeOf;
    mapping(address account => Reputation) private _reputation;
    uint256 private _lastTokenId;
    /// @dev 1 while held, 0 after revocation, keyed by block number.
    mapping(address holder => mapping(uint256 badgeType => Checkpoints.Trace208)) private _badgeHistory;
    mapping(address issuer => Issuance) private _issuance;
    uint32 private _issuanceLimit;
    uint32 private _issuancePeriod;

    event BadgeTypeAdded(uint256 indexed badgeType, string name);
    event BadgeIssued(address indexed holder, uint256 indexed tokenId, uint256 indexed badgeType);
    event BadgeRevoked(address indexed holder, uint256 indexed tokenId, uint256 indexed badgeType, string reason);
    /// @notice Each issuer may now issue `limit` badges per `period` seconds.
    event IssuanceLimitSet(uint32 limit, uint32 period);
    /// @notice `recorder` recorded `kind` activity for `account`, adding `pointsAdded`; the
    /// account now has `points` and its decay clock restarted at the timestamp of the log's block.
    /// @dev That timestamp is not repeated in the event: every log comes with its block's.
    event ActivityRecorded(
        address indexed account, address indexed recorder, ActivityKind kind, uint256 pointsAdded, uint256 points
    );

    error ReputationBadgeSoulbound(uint256 tokenId);
    error ReputationBadgeApprovalsDisabled();
    error ReputationBadgeZeroAddress();
    error ReputationBadgeUnknownType(uint256 badgeType);
    error ReputationBadgeAlreadyHeld(address holder, uint256 badgeType);
    error ReputationBadgeEmptyName();
    error ReputationBadgePointsOverflow(address account, uint256 points);
    error ReputationBadgeTimeBeforeActivity(uint256 timestamp, uint256 lastActivity);
    error ReputationBadgeFutureLookup(uint256 timepoint, uint256 currentBlock);
    error ReputationBadgeIssuanceLimitReached(address issuer, uint256 limit, uint256 windowEnd);
    error ReputationBadgeInvalidIssuancePeriod();

    constructor(address admin) ERC721("ImpactChain Reputation", "IMPACT-REP") {
        if (admin == address(0)) revert ReputationBadgeZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _addBadgeType("VOLUNTEER");
        _addBadgeType("DONOR");
        _addBadgeType("FOUNDER");
        _addBadgeType("VERIFIER");
        _addBadgeType("GUARDIAN");
        _setIssuanceLimit(DEFAULT_ISSUANCE_LIMIT, DEFAULT_ISSUANCE_PERIOD);
    }

    // ----- badge types -----

    /// @notice Add a badge type named `name`; returns its id. Admin only.
    function addBadgeType(string calldata name) external onlyRole(DEFAULT_ADMIN_ROLE) returns (uint256) {
        if (bytes(name).length == 0) revert ReputationBadgeEmptyName();
        return _addBadgeType(name);
    }

    /// @notice How many badge types exist (ids 0 to count − 1).
    function badgeTypeCount() external view returns (uint256) {
        return _typeCount;
    }

    /// @notice The name of badge type `typeId`.
    function badgeTypeName(uint256 typeId) external view returns (string memory) {
        _requireKnownType(typeId);
        return _typeNames[typeId];
    }

    // ----- badges -----

    /// @notice Issue a `typeId` badge to `holder`; one badge per type per holder. Issuers
    /// without DEFAULT_ADMIN_ROLE are held to the issuance limit.
    function issue(address holder, uint256 typeId) external onlyRole(ISSUER_ROLE) returns (uint256 tokenId) {
        if (holder == address(0)) revert ReputationBadgeZeroAddress();
        _requireKnownType(typeId);
        if (_badgeOf[holder][typeId] != 0) revert ReputationBadgeAlreadyHeld(holder, typeId);
        if (!hasRole(DEFAULT_ADMIN_ROLE, msg.sender)) _countIssuance(msg.sender);
        tokenId = ++_lastTokenId;
        _badgeTypeOf[tokenId] = typeId;
        _badgeOf[holder][typeId] = tokenId;
        _badgeHistory[holder][typeId].push(SafeCast.toUint48(block.number), 1);
        _mint(holder, tokenId);
        emit Locked(tokenId);
        emit BadgeIssued(holder, tokenId, typeId);
    }

    /// @notice Revoke (burn) badge `tokenId` for abuse, stating `reason`. Admin only.
    function revoke(uint256 tokenId, string calldata reason) external onlyRole(DEFAULT_ADMIN_ROLE) {
        address holder = _requireOwned(tokenId);
        uint256 typeId = _badgeTypeOf[tokenId];
        delete _badgeOf[holder][typeId];
        delete _badgeTypeOf[tokenId];
        _badgeHistory[holder][typeId].push(SafeCast.toUint48(block.number), 0);
        _burn(tokenId);
        emit BadgeRevoked(holder, tokenId, typeId, reason);
    }

    /// @inheritdoc IReputationBadge
    function hasBadge(address holder, uint256 typeId) external view returns (bool) {
        return _badgeOf[holder][typeId] != 0;
    }

    /// @inheritdoc IReputationBadge
    /// @dev Like ERC-5805 votes: a badge issued in block `timepoint` counts at `timepoint`.
    function hasBadgeAt(address holder, uint256 typeId, uint256 timepoint) external view returns (bool) {
        uint256 current = block.number;
        if (timepoint >= current) revert ReputationBadgeFutureLookup(timepoint, current);
        // Cannot truncate: below the current block number, which push() fitted into 48 bits.
        return _badgeHistory[holder][typeId].upperLookupRecent(uint48(timepoint)) != 0;
    }

    /// @notice Let each issuer issue at most `limit` badges per `period` seconds. Admin only.
    function setIssuanceLimit(uint32 limit, uint32 period) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setIssuanceLimit(limit, period);
    }

    /// @notice Badges each issuer may issue per period, and the period (seconds).
    function issuanceLimit() external view returns (uint32 limit, uint32 period) {
        return (_issuanceLimit, _issuancePeriod);
    }

    /// @notice How many badges `issuer` issued in the current window.
    function issuedThisPeriod(address issuer) external view returns (uint256) {
        Issuance memory issuance = _issuance[issuer];
        return issuance.windowStart == _windowStart() ? issuance.issued : 0;
    }

    /// @notice The token id of `holder`'s `typeId` badge, or 0 if none.
    function badgeOf(address holder, uint256 typeId) external view returns (uint256) {
        return _badgeOf[holder][typeId];
    }

    /// @notice The badge type of `tokenId`.
    function badgeType(uint256 tokenId) external view returns (uint256) {
        _requireOwned(tokenId);
        return _badgeTypeOf[tokenId];
    }

    /// @inheritdoc IERC5192
    function locked(uint256 tokenId) external view returns (bool) {
        _requireOwned(tokenId);
        return true;
    }

    /// @notice Badges are soulbound: approvals are refused.
    function approve(address, uint256 tokenId) public pure override {
        revert ReputationBadgeSoulbound(tokenId);
    }

    /// @notice Badges are soulbound: operator approvals are refused.
    function setApprovalForAll(address, bool) public pure override {
        revert ReputationBadgeApprovalsDisabled();
    }

    /// @notice ERC-165: ERC-721, ERC-5192, AccessControl.
    function supportsInterface(bytes4 interfaceId) public view override(ERC721, AccessControl) returns (bool) {
        return interfaceId == type(IERC5192).interfaceId || super.supportsInterface(interfaceId);
    }

    // ----- reputation -----

    /// @inheritdoc IReputationBadge
    function recordActivity(address account, uint8 kind, uint256 pointsAdded)
        external
        onlyRole(ACTIVITY_RECORDER_ROLE)
    {
        ActivityKind activity = ActivityKind(kind);
        if (account == address(0)) revert ReputationBadgeZeroAddress();
        Reputation storage rep = _reputation[account];
        uint256 points = rep.points + pointsAdded;
        if (points > type(uint96).max) revert ReputationBadgePointsOverflow(account, points);
        rep.points = uint96(points);
        rep.lastActivity = uint64(block.timestamp);
        emit ActivityRecorded(account, msg.sender, activity, pointsAdded, points);
    }

    /// @notice `account`'s undecayed points and the time of its last activity (0 if none).
    function reputationOf(address account) external view returns (uint256 points, uint256 lastActivity) {
        Reputation storage rep = _reputation[account];
        return (rep.points, rep.lastActivity);
    }

    /// @notice `account`'s score now.
    function scoreOf(address account) external view returns (uint256) {
        return scoreAt(account, block.timestamp);
    }

    /// @notice `account`'s score at `timestamp`, assuming no activity after the last recorded one.
    function scoreAt(address account, uint256 timestamp) public view returns (uint256) {
        Reputation storage rep = _reputation[account];
        uint256 last = rep.lastActivity;
        if (timestamp < last) revert ReputationBadgeTimeBeforeActivity(timestamp, last);
        return decayedScore(rep.points, timestamp - last);
    }

    /// @notice floor(`points` × 0.95^(`elapsed` / 365 days)).
    /// @dev Exact to within one unit for `points` < 2^96 (the relative error of
    /// `decayFactor` is below 1e-34).
    function decayedScore(uint256 points, uint256 elapsed) public pure returns (uint256) {
        return points * decayFactor(elapsed) / SCALE;
    }

    /// @notice 0.95^(`elapsed` / 365 days) in 1e36 fixed point, rounded down.
    /// @dev Whole years by square-and-multiply; the remaining fraction f of a year as
    /// exp(−f·ln(1/0.95)) by its Taylor series, whose argument is below 0.052 so the terms
    /// vanish at 1e36 precision within about 25 steps.
    function decayFactor(uint256 elapsed) public pure returns (uint256) {
        uint256 whole = _pow(_DECAY_PER_YEAR, elapsed / YEAR);
        uint256 y = _NEG_LN_DECAY * (elapsed % YEAR) / YEAR;
        return whole * _expNeg(y) / SCALE;
    }

    // ----- internals -----

    /// @dev Soulbound: only mint (from zero) and burn (to zero) move badges.
    function _update(address to, uint256 tokenId, address auth) internal override returns (address from) {
        from = _ownerOf(tokenId);
        if (from != address(0) && to != address(0)) revert ReputationBadgeSoulbound(tokenId);
        return super._update(to, tokenId, auth);
    }

    function _setIssuanceLimit(uint32 limit, uint32 period) private {
        if (period == 0) revert ReputationBadgeInvalidIssuancePeriod();
        _issuanceLimit = limit;
        _issuancePeriod = period;
        emit IssuanceLimitSet(limit, period);
    }

    function _countIssuance(address issuer) private {
        Issuance memory issuance = _issuance[issuer];
        uint256 windowStart = _windowStart();
        if (issuance.windowStart != windowStart) issuance = Issuance(uint64(windowStart), 0);
        uint256 limit = _issuanceLimit;
        if (issuance.issued >= limit) {
            revert ReputationBadgeIssuanceLimitReached(issuer, limit, windowStart + _issuancePeriod);
        }
        // Cannot overflow: below the 32-bit limit just checked.
        unchecked {
            ++issuance.issued;
        }
        _issuance[issuer] = issuance;
    }

    /// @dev Start of the current issuance window; fits 64 bits for any block timestamp in use.
    function _windowStart() private view returns (uint256) {
        return block.timestamp - block.timestamp % _issuancePeriod;
    }

    function _addBadgeType(string memory name) private returns (uint256 id) {
        id = _typeCount++;
        _typeNames[id] = name;
        emit BadgeTypeAdded(id, name);
    }

    function _requireKnownType(uint256 id) private view {
        if (id >= _typeCount) revert ReputationBadgeUnknownType(id);
    }

    /// @dev `base`^`exponent` in SCALE fixed point, `base` ≤ SCALE, rounded down at each step.
    function _pow(uint256 base, uint256 exponent) private pure returns (uint256 result) {
        result = SCALE;
        while (exponent != 0) {
            if (exponent & 1 != 0) result = result * base / SCALE;
            exponent >>= 1;
            if (exponent != 0) base = base * base / SCALE;
        }
    }

    /// @dev e^(−y) in SCALE fixed point for 0 ≤ y < SCALE/10, summing positive and negative
    /// Taylor terms separately so the running total never goes below zero.
    function _expNeg(uint256 y) private pure returns (uint256) {
        uint256 positive = SCALE;
        uint256 negative = 0;
        uint256 term = SCALE;
        for (uint256 k = 1; term != 0; ++k) {
            term = term * y / (k * SCALE);
            if (k & 1 == 1) negative += term;
            else positive += term;
        }
        return positive - negative;
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {Initializable} from "@openzeppelin/contracts/proxy/utils/Initializable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {ICarbonOffsetPayments} from "../carbon/ICarbonOffsetPayments.sol";
import {IGovernanceToken} from "../governance/IGovernanceToken.sol";
import {IReputationBadge} from "../reputation/IReputationBadge.sol";
import {IStreams} from "../streams/IStreams.sol";
import {Streams} from "../streams/Streams.sol";
import {Payments} from "../utils/Payments.sol";
import {IFundingRound} from "./IFundingRound.sol";

/// @title FundingRound
/// @notice One founder's funding round: a pull-payment escrow of donations in native MATIC and
/// the round's allowlisted ERC-20s, released to the founder milestone by milestone.
///
/// Lifecycle. Donations are open until `deadline`. After it anyone calls `finalize`: the round
/// Succeeded if its MATIC-equivalent total reached `goal`, otherwise it Failed and donors take
/// everything back. A Succeeded round's founder submits evidence (an IPFS CID) per milestone by
/// the milestone's deadline; the oracle (the ML/KPI verifier keeper, ORACLE_ROLE on the factory)
/// or the DAO timelock approves or rejects it within DECISION_WINDOW after that deadline. Once
/// every milestone is decided or out of time, anyone calls `settle` and donors take back what
/// was never released. The DAO may cancel a Funding or Succeeded round at any time: releases
/// stop, what was already approved stays the founder's, donors take back the rest.
///
/// Goal rule. Native donations count wei for wei; an ERC-20 donation counts
/// `amount * donationRate(token) / 1e18` (rounded down), with GovernanceToken's rate in force
/// when the donation is made — the same figure the token mints governance tokens for. A token
/// the governance token does not price (rate 0) is refused.
///
/// Release rule (exact in every currency). Milestone shares are basis points summing to 10,000.
/// With A the sum of approved shares, what has been released of a currency is always
/// `raised * A / 10_000` rounded down; approving a milestone releases the difference. So the
/// last approval releases every last unit, and rounding never pays a milestone twice. A
/// rejected milestone can never be approved, so its share is never released; donors recover it
/// after `settle`. Of each release, `carbonBps` goes to the carbon offsetter (owed until anyone
/// calls `offsetCarbon`), the rest is owed to the founder, who pulls it with `withdraw` — or,
/// for a milestone with a stream duration, anyone moves it into a stream with `openStream`
/// (created on first use, extended afterwards).
///
/// Refund rule. When refunds are open (Failed, Settled or Cancelled) a donor gets, per currency,
/// `contribution * (raised - released) / raised`, rounded down, once. Nothing is released after
/// refunds open, so the shares never add up to more than what is left.
/// @dev Deployed once as the implementation (initializers disabled) and cloned per round by
/// FundingRoundFactory. Platform wiring is immutable in the implementation and shared by its clones.
contract FundingRound is IFundingRound, Initializable, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    /// @notice The factory role whose holders may approve or reject milestones besides the DAO.
    bytes32 public constant ORACLE_ROLE = keccak256("ORACLE_ROLE");
    /// @notice The currency id of the native token (MATIC on Polygon).
    address public constant NATIVE = Payments.NATIVE;
    uint256 public constant BPS = 10_000;
    uint256 public constant MAX_MILESTONES = 10;
    uint256 public constant MAX_TOKENS = 4;
    uint256 public constant MAX_CARBON_BPS = 1_000;
    /// @notice How long after a milestone's deadline the oracle or the DAO may still decide it.
    uint256 public constant DECISION_WINDOW = 30 days;
    /// @notice Reputation points recorded per donation (ActivityKind.DONATION).
    uint256 public constant DONATION_POINTS = 10;
    uint256 private constant _RATE_SCALE = 1e18;

    /// @dev CIDs are kept as keccak256 commitments of the CID string; the strings themselves are
    /// in the `MilestoneDefined` and `EvidenceSubmitted` events (three storage slots per CID saved).
    struct Milestone {
        uint16 shareBps;
        uint64 deadline;
        uint32 streamDuration;
        MilestoneStatus status;
        bytes32 requirementsHash;
        bytes32 evidenceHash;
    }

    /// @notice Money of the round in one currency. Invariants: released + refunded <= raised;
    /// the round holds at least (raised - released - refunded) + founderOwed + streamOwed + carbonOwed.
    /// @dev The native currency's `raised` is stored in `_nativeRaised`, not here: read and add to
    /// any currency's `raised` through `_raisedOf` and `_addRaised` only.
    struct Ledger {
        uint128 raised;
        uint128 released;
        uint128 refunded;
        uint128 founderOwed;
        uint128 streamOwed;
        uint128 carbonOwed;
    }

    address private immutable _factory;
    address private immutable _dao;
    address private immutable _governanceToken;
    address private immutable _badges;
    address private immutable _streams;
    address private immutable _carbonOffsetter;
    uint16 private immutable _carbonBps;

    // One slot: what a donation checks (`_status`, `_deadline`) and, for a native donation, adds
    // to (`_nativeRaised`), so a native donation reads one cold slot for all three. Only
    // `_raisedOf` and `_addRaised` touch `_nativeRaised`; `_ledgers[NATIVE].raised` stays 0.
    uint128 private _nativeRaised;
    uint64 private _deadline;
    Status private _status;
    uint16 private _approvedBps;
    address private _founder;
    uint64 private _streamEndAt;
    uint256 private _goal;
    uint256 private _tokenEquivalent;
    string private _metadataCid;
    address[] private _tokens;
    Milestone[] private _milestones;
    mapping(address token => bool) private _accepted;
    mapping(address currency => Ledger) private _ledgers;
    mapping(address donor => mapping(address currency => uint256)) private _contributions;
    mapping(address donor => mapping(address currency => bool)) private _refundClaimed;
    mapping(address currency => uint256 streamId) private _streamIds;

    event RoundInitialized(
        address indexed founder, string metadataCid, uint256 goal, uint64 deadline, address[] tokens, uint256 milestones
    );
    event MilestoneDefined(
        uint256 indexed milestoneId, uint16 shareBps, uint64 deadline, uint32 streamDuration, string requirementsCid
    );
    /// @notice `donor` gave `amount` of `currency`, counted as `maticEquivalent` towards the goal.
    event Donated(
        address indexed donor, address indexed currency, uint256 amount, uint256 maticEquivalent, uint256 donorTotal
    );
    /// @notice Minting governance tokens or recording reputation failed; the donation stands.
    event DonationRewardFailed(address indexed donor, address indexed currency, bytes reason);
    event RoundFinalized(Status status, uint256 raisedEquivalent, uint256 goal);
    event EvidenceSubmitted(uint256 indexed milestoneId, address indexed founder, string evidenceCid);
    event MilestoneApproved(uint256 indexed milestoneId, address indexed decider, uint16 approvedBps);
    event MilestoneRejected(uint256 indexed milestoneId, address indexed decider, string reasonCid);
    /// @notice Approving `milestoneId` released `amount` of `currency`: `carbonAmount` owed to the
    /// offsetter, the rest owed to the founder (as a stream if `streamed`).
    event MilestoneReleased(
        uint256 indexed milestoneId, address indexed currency, uint256 amount, uint256 carbonAmount, bool streamed
    );
    event Withdrawn(address indexed founder, address indexed currency, uint256 amount);
    event StreamFunded(uint256 indexed streamId, address indexed currency, uint256 amount, uint64 endTime, bool extended);
    event StreamReclaimed(uint256 indexed streamId, address indexed currency, uint256 amount, address to);
    event CarbonOffset(address indexed currency, uint256 amount, uint256 retirementEventId, uint256 credits);
    event RoundCancelled(address indexed by);
    event RoundSettled(uint16 approvedBps);
    event Refunded(address indexed donor, address indexed currency, uint256 amount);

    error FundingRoundZeroAddress();
    error FundingRoundZeroAmount();
    error FundingRoundNotFactory(address caller);
    error FundingRoundNotFounder(address caller);
    error FundingRoundNotDao(address caller);
    error FundingRoundNotDecider(address caller);
    error FundingRoundBadCarbonShare(uint16 carbonBps);
    error FundingRoundEmptyCid();
    error FundingRoundBadDeadline(uint64 deadline, uint256 earliest);
    error FundingRoundBadMilestoneCount(uint256 count);
    error FundingRoundBadMilestone(uint256 milestoneId, uint16 shareBps, uint64 deadline, uint32 streamDuration);
    error FundingRoundBadShares(uint256 totalBps);
    error FundingRoundBadToken(address token);
    error FundingRoundTooManyTokens(uint256 count);
    error FundingRoundUnsupportedCurrency(address currency);
    error FundingRoundUnpricedToken(address token);
    error FundingRoundNotFunding(Status status);
    error FundingRoundDeadlinePassed(uint64 deadline);
    error FundingRoundStillOpen(uint64 deadline);
    error FundingRoundNotSucceeded(Status status);
    error FundingRoundUnknownMilestone(uint256 milestoneId);
    error FundingRoundMilestoneNotOpen(uint256 milestoneId, MilestoneStatus status);
    error FundingRoundMilestoneNotSubmitted(uint256 milestoneId, MilestoneStatus status);
    error FundingRoundEvidenceTooLate(uint256 milestoneId, uint64 deadline);
    error FundingRoundEvidenceChanged(uint256 milestoneId, bytes32 reviewed, bytes32 current);
    error FundingRoundDecisionTooLate(uint256 milestoneId, uint256 closedAt);
    error FundingRoundCannotCancel(Status status);
    error FundingRoundNotSettleable(uint256 settleableAfter);
    error FundingRoundRefundsClosed(Status status);
    error FundingRoundNothingToRefund(address donor, address currency);
    error FundingRoundNothingOwed(address currency);
    error FundingRoundNoReclaimableStream(address currency, uint256 streamId);
    error FundingRoundUseDonate();

    /// @param factory The FundingRoundFactory allowed to initialize clones of this implementation.
    constructor(address factory, Platform memory platform) {
        if (factory == address(0) || platform.dao == address(0)) revert FundingRoundZeroAddress();
        if (platform.carbonBps > MAX_CARBON_BPS) revert FundingRoundBadCarbonShare(platform.carbonBps);
        _factory = factory;
        _dao = platform.dao;
        _governanceToken = platform.governanceToken;
        _badges = platform.badges;
        _streams = platform.streams;
        _carbonOffsetter = platform.carbonOffsetter;
        _carbonBps = platform.carbonOffsetter == address(0) ? 0 : platform.carbonBps;
        _disableInitializers();
    }

    /// @notice Set up a clone; the factory calls it in the transaction that creates the clone.
    function initialize(RoundParams calldata params) external initializer {
        if (msg.sender != _factory) revert FundingRoundNotFactory(msg.sender);
        if (params.founder == address(0)) revert FundingRoundZeroAddress();
        if (params.goal == 0) revert FundingRoundZeroAmount();
        if (bytes(params.metadataCid).length == 0) revert FundingRoundEmptyCid();
        if (params.deadline <= block.timestamp) revert FundingRoundBadDeadline(params.deadline, block.timestamp + 1);
        _founder = params.founder;
        _deadline = params.deadline;
        _goal = params.goal;
        _metadataCid = params.metadataCid;
        _initTokens(params.tokens);
        _initMilestones(params.milestones, params.deadline);
        emit RoundInitialized(
            params.founder, params.metadataCid, params.goal, params.deadline, params.tokens, params.milestones.length
        );
    }

    // ----- donations -----

    /// @notice Donate the attached native value.
    function donate() external payable nonReentrant {
        _requireFunding();
        _record(NATIVE, msg.value, msg.value);
        _reward(NATIVE, msg.value);
    }

    /// @notice Donate `amount` of accepted ERC-20 `token` (approve it first).
    function donateToken(address token, uint256 amount) external nonReentrant {
        if (!_accepted[token]) revert FundingRoundUnsupportedCurrency(token);
        if (amount == 0) revert FundingRoundZeroAmount();
        _requireFunding();
        uint256 rate = _rateOf(token);
        // Count what arrived, not what was asked for: fee-on-transfer tokens deliver less.
        IERC20 erc20 = IERC20(token);
        uint256 before = erc20.balanceOf(address(this));
        erc20.safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = erc20.balanceOf(address(this)) - before;
        uint256 equivalent = Math.mulDiv(received, rate, _RATE_SCALE);
        _tokenEquivalent += equivalent;
        _record(token, received, equivalent);
        _reward(token, received);
    }

    // ----- settlement (anyone, after the deadline) -----

    /// @notice Decide Succeeded or Failed once the deadline has passed; a no-op when already decided.
    function finalize() external returns (Status) {
        if (_status == Status.Funding && block.timestamp <= _deadline) revert FundingRoundStillOpen(_deadline);
        return _finalizeIfDue();
    }

    /// @notice Close a Succeeded round once every milestone is decided or past its decision window,
    /// opening refunds of what was never released. A no-op on a Failed, Settled or Cancelled round.
    function settle() external returns (Status current) {
        if (_status == Status.Funding && block.timestamp <= _deadline) revert FundingRoundStillOpen(_deadline);
        current = _finalizeIfDue();
        if (current != Status.Succeeded) return current;
        if (!_allDecided()) {
            uint256 settleableAfter = _milestones[_milestones.length - 1].deadline + DECISION_WINDOW;
            if (block.timestamp <= settleableAfter) revert FundingRoundNotSettleable(settleableAfter);
        }
        current = Status.Settled;
        _status = current;
        emit RoundSettled(_approvedBps);
    }

    /// @notice Stop the round for good: no more donations or releases; donors may claim refunds.
    function cancel() external {
        if (msg.sender != _dao) revert FundingRoundNotDao(msg.sender);
        Status current = _status;
        if (current != Status.Funding && current != Status.Succeeded) revert FundingRoundCannotCancel(current);
        _status = Status.Cancelled;
        emit RoundCancelled(msg.sender);
    }

    // ----- milestones -----

    /// @notice The founder submits (or replaces, until decided) the evidence CID of `milestoneId`.
    function submitEvidence(uint256 milestoneId, string calldata evidenceCid) external {
        if (msg.sender != _founder) revert FundingRoundNotFounder(msg.sender);
        Status current = _finalizeIfDue();
        if (current != Status.Succeeded) revert FundingRoundNotSucceeded(current);
        Milestone storage milestone = _milestone(milestoneId);
        MilestoneStatus state = milestone.status;
        if (state != MilestoneStatus.Pending && state != MilestoneStatus.Submitted) {
            revert FundingRoundMilestoneNotOpen(milestoneId, state);
        }
        if (block.timestamp > milestone.deadline) revert FundingRoundEvidenceTooLate(milestoneId, milestone.deadline);
        if (bytes(evidenceCid).length == 0) revert FundingRoundEmptyCid();
        milestone.evidenceHash = keccak256(bytes(evidenceCid));
        milestone.status = MilestoneStatus.Submitted;
        emit EvidenceSubmitted(milestoneId, msg.sender, evidenceCid);
    }

    /// @notice Approve submitted milestone `milestoneId` and release its share in every currency.
    /// @param evidenceHash keccak256 of the evidence CID the decider reviewed: if the founder
    /// replaced the evidence since, the approval reverts instead of approving unseen evidence.
    function approveMilestone(uint256 milestoneId, bytes32 evidenceHash) external {
        Milestone storage milestone = _decidable(milestoneId);
        if (milestone.status != MilestoneStatus.Submitted) {
            revert FundingRoundMilestoneNotSubmitted(milestoneId, milestone.status);
        }
        if (milestone.evidenceHash != evidenceHash) {
            revert FundingRoundEvidenceChanged(milestoneId, evidenceHash, milestone.evidenceHash);
        }
        milestone.status = MilestoneStatus.Approved;
        // Shares sum to BPS (checked at creation) and each is approved at most once.
        uint16 approvedBps = _approvedBps + milestone.shareBps;
        _approvedBps = approvedBps;
        bool streamed = milestone.streamDuration != 0;
        if (streamed) {
            uint64 endAt = uint64(block.timestamp) + milestone.streamDuration;
            if (endAt > _streamEndAt) _streamEndAt = endAt;
        }
        emit MilestoneApproved(milestoneId, msg.sender, approvedBps);

        _release(milestoneId, NATIVE, approvedBps, streamed);
        uint256 count = _tokens.length;
        for (uint256 i; i < count; ++i) {
            _release(milestoneId, _tokens[i], approvedBps, streamed);
        }
    }

    /// @notice Reject milestone `milestoneId` (with or without evidence): its share is never paid.
    function rejectMilestone(uint256 milestoneId, string calldata reasonCid) external {
        Milestone storage milestone = _decidable(milestoneId);
        MilestoneStatus state = milestone.status;
        if (state != MilestoneStatus.Pending && state != MilestoneStatus.Submitted) {
            revert FundingRoundMilestoneNotOpen(milestoneId, state);
        }
        milestone.status = MilestoneStatus.Rejected;
        emit MilestoneRejected(milestoneId, msg.sender, reasonCid);
    }

    // ----- paying out (pull) -----

    /// @notice The founder pulls everything owed to them in `currency`.
    function withdraw(address currency) external nonReentrant returns (uint256 amount) {
        if (msg.sender != _founder) revert FundingRoundNotFounder(msg.sender);
        Ledger storage money = _ledgers[currency];
        amount = money.founderOwed;
        if (amount == 0) revert FundingRoundNothingOwed(currency);
        money.founderOwed = 0;
        emit Withdrawn(msg.sender, currency, amount);
        Payments.pay(currency, msg.sender, amount);
    }

    /// @notice Move the streamed milestones' part owed in `currency` into the founder's stream:
    /// extend the round's live stream in that currency, or open one. Anyone (keepers).
    /// @dev The stream ends at the latest `approval time + streamDuration` of the approved
    /// streamed milestones, or later if the existing stream already ends later.
    function openStream(address currency) external nonReentrant returns (uint256 streamId) {
        Ledger storage money = _ledgers[currency];
        uint256 amount = money.streamOwed;
        if (amount == 0) revert FundingRoundNothingOwed(currency);
        money.streamOwed = 0;
        uint256 endTime = Math.max(_streamEndAt, block.timestamp + 1);
        uint256 value = currency == NATIVE ? amount : 0;
        if (currency != NATIVE) IERC20(currency).forceApprove(_streams, amount);

        streamId = _streamIds[currency];
        bool extended = streamId != 0 && _isLive(streamId);
        if (streamId != 0 && !extended && Streams(_streams).refundableAmountOf(streamId) != 0) {
            // A cancelled stream is about to be replaced: send its unvested rest to the DAO now,
            // or nothing would point at it any more.
            _reclaim(streamId, currency);
        }
        if (extended) {
            endTime = Math.max(endTime, Streams(_streams).getStream(streamId).endTime);
            IStreams(_streams).extendStream{value: value}(streamId, amount.toUint128(), endTime.toUint40());
        } else {
            streamId = IStreams(_streams).createStream{value: value}(
                address(this),
                _founder,
                currency,
                amount.toUint128(),
                uint40(block.timestamp),
                0,
                endTime.toUint40()
            );
            _streamIds[currency] = streamId;
        }
        emit StreamFunded(streamId, currency, amount, uint64(endTime), extended);
    }

    /// @notice After the DAO (a stream admin) cancelled the round's stream in `currency`, pull its
    /// unvested rest back and send it to the DAO treasury. Anyone.
    function reclaimCancelledStream(address currency) external nonReentrant returns (uint256 amount) {
        uint256 streamId = _streamIds[currency];
        if (streamId == 0 || Streams(_streams).refundableAmountOf(streamId) == 0) {
            revert FundingRoundNoReclaimableStream(currency, streamId);
        }
        return _reclaim(streamId, currency);
    }

    /// @notice Reclaim any earlier stream of this round that the DAO cancelled after a newer one
    /// replaced it (a paused stream is replaced, then cancelled). Anyone; Streams only refunds
    /// the round, the stream's sender.
    function reclaimCancelledStreamById(uint256 streamId) external nonReentrant returns (uint256 amount) {
        address currency = Streams(_streams).getStream(streamId).token;
        if (Streams(_streams).refundableAmountOf(streamId) == 0) {
            revert FundingRoundNoReclaimableStream(currency, streamId);
        }
        return _reclaim(streamId, currency);
    }

    /// @notice Pay the carbon share owed in `currency` to the offsetter, which retires credits for
    /// the founder. Anyone (keepers); retried freely if the offsetter refuses.
    function offsetCarbon(address currency) external nonReentrant returns (uint256 retirementEventId) {
        Ledger storage money = _ledgers[currency];
        uint256 amount = money.carbonOwed;
        if (amount == 0) revert FundingRoundNothingOwed(currency);
        money.carbonOwed = 0;
        ICarbonOffsetPayments offsetter = ICarbonOffsetPayments(_carbonOffsetter);
        uint256 credits;
        if (currency == NATIVE) {
            (retirementEventId, credits) = offsetter.offset{value: amount}(_founder);
        } else {
            IERC20(currency).forceApprove(address(offsetter), amount);
            (retirementEventId, credits) = offsetter.offsetWithToken(currency, amount, _founder);
        }
        emit CarbonOffset(currency, amount, retirementEventId, credits);
    }

    // ----- refunds -----

    /// @notice A donor pulls back their share of what was never released in `currency`.
    function claimRefund(address currency) external nonReentrant returns (uint256 amount) {
        Status current = _finalizeIfDue();
        if (!_refundsOpen(current)) revert FundingRoundRefundsClosed(current);
        amount = _refundable(msg.sender, currency);
        if (amount == 0) revert FundingRoundNothingToRefund(msg.sender, currency);
        _refundClaimed[msg.sender][currency] = true;
        // amount <= raised - released - refunded (shares rounded down), so this fits in uint128.
        _ledgers[currency].refunded += uint128(amount);
        emit Refunded(msg.sender, currency, amount);
        Payments.pay(currency, msg.sender, amount);
    }

    /// @notice Plain transfers are refused (donate instead); only Streams' refunds come in this way.
    receive() external payable {
        if (msg.sender != _streams) revert FundingRoundUseDonate();
    }

    // ----- views -----

    function factory() external view returns (address) {
        return _factory;
    }

    function platform() external view returns (Platform memory) {
        return Platform(_dao, _governanceToken, _badges, _streams, _carbonOffsetter, _carbonBps);
    }

    function founder() external view returns (address) {
        return _founder;
    }

    /// @notice The stored status (a round past its deadline stays Funding until finalized).
    function status() external view returns (Status) {
        return _status;
    }

    function goal() external view returns (uint256) {
        return _goal;
    }

    function deadline() external view returns (uint64) {
        return _deadline;
    }

    function metadataCid() external view returns (string memory) {
        return _metadataCid;
    }

    /// @notice What counts towards the goal: native wei plus ERC-20 donations at their donation-time rate.
    function raisedEquivalent() public view returns (uint256) {
        return _raisedOf(NATIVE) + _tokenEquivalent;
    }

    function acceptedTokens() external view returns (address[] memory) {
        return _tokens;
    }

    function isAccepted(address currency) external view returns (bool) {
        return currency == NATIVE || _accepted[currency];
    }

    function milestoneCount() external view returns (uint256) {
        return _milestones.length;
    }

    function milestone(uint256 milestoneId) external view returns (Milestone memory) {
        return _milestone(milestoneId);
    }

    function approvedBps() external view returns (uint16) {
        return _approvedBps;
    }

    function ledger(address currency) external view returns (Ledger memory money) {
        money = _ledgers[currency];
        // Fits: it was stored as a uint128.
        money.raised = uint128(_raisedOf(currency));
    }

    function contributionOf(address donor, address currency) external view returns (uint256) {
        return _contributions[donor][currency];
    }

    /// @notice What `donor` could claim back in `currency` now (0 while refunds are closed).
    function refundable(address donor, address currency) external view returns (uint256) {
        Status current = _status;
        if (current == Status.Funding && block.timestamp > _deadline) {
            current = raisedEquivalent() >= _goal ? Status.Succeeded : Status.Failed;
        }
        return _refundsOpen(current) ? _refundable(donor, currency) : 0;
    }

    function streamIdOf(address currency) external view returns (uint256) {
        return _streamIds[currency];
    }

    function streamEndAt() external view returns (uint64) {
        return _streamEndAt;
    }

    // ----- internals -----

    function _initTokens(address[] calldata tokens) private {
        uint256 count = tokens.length;
        if (count > MAX_TOKENS) revert FundingRoundTooManyTokens(count);
        for (uint256 i; i < count; ++i) {
            address token = tokens[i];
            if (token == NATIVE || _accepted[token]) revert FundingRoundBadToken(token);
            _accepted[token] = true;
            _tokens.push(token);
        }
    }

    function _initMilestones(MilestoneParams[] calldata milestones, uint64 roundDeadline) private {
        uint256 count = milestones.length;
        if (count == 0 || count > MAX_MILESTONES) revert FundingRoundBadMilestoneCount(count);
        uint256 totalBps;
        uint64 previousDeadline = roundDeadline;
        for (uint256 i; i < count; ++i) {
            MilestoneParams calldata params = milestones[i];
            bool badStream = params.streamDuration != 0 && _streams == address(0);
            if (params.shareBps == 0 || params.deadline <= previousDeadline || badStream) {
                revert FundingRoundBadMilestone(i, params.shareBps, params.deadline, params.streamDuration);
            }
            if (bytes(params.requirementsCid).length == 0) revert FundingRoundEmptyCid();
            totalBps += params.shareBps;
            previousDeadline = params.deadline;
            Milestone storage milestone = _milestones.push();
            milestone.shareBps = params.shareBps;
            milestone.deadline = params.deadline;
            milestone.streamDuration = params.streamDuration;
            milestone.requirementsHash = keccak256(bytes(params.requirementsCid));
            emit MilestoneDefined(i, params.shareBps, params.deadline, params.streamDuration, params.requirementsCid);
        }
        if (totalBps != BPS) revert FundingRoundBadShares(totalBps);
    }

    function _requireFunding() private view {
        if (_status != Status.Funding) revert FundingRoundNotFunding(_status);
        if (block.timestamp > _deadline) revert FundingRoundDeadlinePassed(_deadline);
    }

    function _record(address currency, uint256 amount, uint256 equivalent) private {
        if (amount == 0) revert FundingRoundZeroAmount();
        _addRaised(currency, amount);
        uint256 donorTotal = _contributions[msg.sender][currency] + amount;
        _contributions[msg.sender][currency] = donorTotal;
        emit Donated(msg.sender, currency, amount, equivalent, donorTotal);
    }

    function _reward(address currency, uint256 amount) private {
        // Rewards are best effort: a missing role or a full cap must not turn donors away.
        if (_governanceToken != address(0)) {
            IGovernanceToken recorder = IGovernanceToken(_governanceToken);
            if (currency == NATIVE) {
                try recorder.recordDonation(msg.sender, amount) {}
                catch (bytes memory reason) {
                    emit DonationRewardFailed(msg.sender, currency, reason);
                }
            } else {
                try recorder.recordTokenDonation(msg.sender, currency, amount) {}
                catch (bytes memory reason) {
                    emit DonationRewardFailed(msg.sender, currency, reason);
                }
            }
        }
        if (_badges != address(0)) {
            uint8 donation = uint8(IReputationBadge.ActivityKind.DONATION);
            try IReputationBadge(_badges).recordActivity(msg.sender, donation, DONATION_POINTS) {}
            catch (bytes memory reason) {
                emit DonationRewardFailed(msg.sender, currency, reason);
            }
        }
    }

    function _rateOf(address token) private view returns (uint256 rate) {
        if (_governanceToken != address(0)) rate = IGovernanceToken(_governanceToken).donationRate(token);
        if (rate == 0) revert FundingRoundUnpricedToken(token);
    }

    function _finalizeIfDue() private returns (Status current) {
        current = _status;
        if (current != Status.Funding || block.timestamp <= _deadline) return current;
        uint256 raised = raisedEquivalent();
        current = raised >= _goal ? Status.Succeeded : Status.Failed;
        _status = current;
        emit RoundFinalized(current, raised, _goal);
    }

    function _decidable(uint256 milestoneId) private view returns (Milestone storage milestone) {
        if (msg.sender != _dao && !IAccessControl(_factory).hasRole(ORACLE_ROLE, msg.sender)) {
            revert FundingRoundNotDecider(msg.sender);
        }
        if (_status != Status.Succeeded) revert FundingRoundNotSucceeded(_status);
        milestone = _milestone(milestoneId);
        uint256 closedAt = milestone.deadline + DECISION_WINDOW;
        if (block.timestamp > closedAt) revert FundingRoundDecisionTooLate(milestoneId, closedAt);
    }

    function _release(uint256 milestoneId, address currency, uint16 approvedBps, bool streamed) private {
        Ledger storage money = _ledgers[currency];
        uint256 raised = _raisedOf(currency);
        // approvedBps <= BPS, so target <= raised, which fits in uint128.
        uint256 target = (raised * approvedBps) / BPS;
        uint256 amount = target - money.released;
        if (amount == 0) return;
        money.released = uint128(target);
        uint256 carbonAmount = (amount * _carbonBps) / BPS;
        // Both parts are at most `amount` <= raised, and the owed totals never exceed released.
        if (carbonAmount != 0) money.carbonOwed += uint128(carbonAmount);
        if (streamed) {
            money.streamOwed += uint128(amount - carbonAmount);
        } else {
            money.founderOwed += uint128(amount - carbonAmount);
        }
        emit MilestoneReleased(milestoneId, currency, amount, carbonAmount, streamed);
    }

    function _allDecided() private view returns (bool) {
        uint256 count = _milestones.length;
        for (uint256 i; i < count; ++i) {
            MilestoneStatus state = _milestones[i].status;
            if (state != MilestoneStatus.Approved && state != MilestoneStatus.Rejected) return false;
        }
        return true;
    }

    function _refundsOpen(Status current) private pure returns (bool) {
        return current == Status.Failed || current == Status.Settled || current == Status.Cancelled;
    }

    function _refundable(address donor, address currency) private view returns (uint256) {
        if (_refundClaimed[donor][currency]) return 0;
        uint256 raised = _raisedOf(currency);
        if (raised == 0) return 0;
        return (_contributions[donor][currency] * (raised - _ledgers[currency].released)) / raised;
    }

    /// @dev Everything raised in `currency`: the one place that knows where the native total lives.
    function _raisedOf(address currency) private view returns (uint256) {
        return currency == NATIVE ? _nativeRaised : _ledgers[currency].raised;
    }

    function _addRaised(address currency, uint256 amount) private {
        if (currency == NATIVE) {
            _nativeRaised = (_nativeRaised + amount).toUint128();
        } else {
            Ledger storage money = _ledgers[currency];
            money.raised = (money.raised + amount).toUint128();
        }
    }

    function _reclaim(uint256 streamId, address currency) private returns (uint256 amount) {
        if (_streamIds[currency] == streamId) delete _streamIds[currency];
        amount = Streams(_streams).withdrawRefund(streamId);
        emit StreamReclaimed(streamId, currency, amount, _dao);
        Payments.pay(currency, _dao, amount);
    }

    function _isLive(uint256 streamId) private view returns (bool) {
        Streams.Stream memory stream = Streams(_streams).getStream(streamId);
        return !stream.cancelled && stream.pausedAt == 0;
    }

    function _milestone(uint256 milestoneId) private view returns (Milestone storage) {
        if (milestoneId >= _milestones.length) revert FundingRoundUnknownMilestone(milestoneId);
        return _milestones[milestoneId];
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

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
import {IStreamRecords, IStreams} from "../streams/IStreams.sol";
import {Payments} from "../utils/Payments.sol";
import {IFundingRound} from "./IFundingRound.sol";
import {IFundingRoundFactory} from "./IFundingRoundFactory.sol";

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
///
/// Reward rule. Governance tokens (votes) and reputation are given only for money that can no
/// longer come back: nothing at donation; a donor pulls, per currency, `contribution * released /
/// raised` (rounded down) minus what they were already rewarded, with `claimReward`, as
/// milestones release (`raised` is fixed once donations close, `released` only grows). Reward +
/// refund never exceed the contribution, so a round that fails, or is cancelled, rewards only
/// what it had released. The founder's own contributions earn nothing (a founder cannot buy
/// votes by paying themselves). Reputation points (DONATION_POINTS) are recorded once per donor
/// per round, when a claim brings the donor's rewarded amount in a currency to the factory's
/// DAO-set minimum for it. Rewards go through the factory (the reward relay), which holds the
/// recorder roles; a failed mint or record emits `DonationRewardFailed` and stays claimable.
///
/// Carbon rule. The share is paid to the factory's current `carbonOffsetter()` (DAO-settable);
/// `carbonBps` is fixed in the implementation. A refused payment is counted; after
/// CARBON_MAX_FAILURES failures at least CARBON_RETRY_SPACING apart anyone may send the share to
/// the DAO treasury (`sendStuckCarbonToDao`) so it is never locked for good. It goes to the DAO,
/// not back to donors: it was released (and rewarded as given money), refunds are one-shot
/// shares fixed against `released`, and the DAO can still retire credits with it by proposal.
///
/// Decisions recorded (issue 10, low items). (1) One oracle key approves a milestone at once: the
/// approval releases immediately, with no challenge window. The DAO's defences are revoking
/// ORACLE_ROLE on the factory and `cancel`, which stop further releases; what an approval
/// released stays the founder's. A challenge window would delay every honest payout by the DAO's
/// voting time, so the trust in the oracle key is explicit instead (pinned by a test). (2) The
/// unvested rest of a round stream the DAO cancelled goes to the DAO treasury, not back to donors:
/// it was released and rewarded, and refunds (fixed shares, possibly already claimed) are not
/// reopened after the fact (pinned by a test).
/// @dev Deployed once as the implementation (initializers disabled) and cloned per round by
/// FundingRoundFactory. Platform wiring is immutable in the implementation and shared by its clones.
contract FundingRound is IFundingRound, Initializable, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    /// @notice The factory role whose holders may approve or reject milestones besides the DAO.
    bytes32 public constant ORACLE_ROLE = keccak256("ORACLE_ROLE");
    /// @notice The currency id of the native token (MATIC on Polygon).
    address public constant NATIVE = Payments.NATIVE;
    /// @notice Basis points in a whole (milestone shares sum to it).
    uint256 public constant BPS = 10_000;
    /// @notice The most milestones a round may have.
    uint256 public constant MAX_MILESTONES = 10;
    /// @notice The most ERC-20s a round may accept besides native MATIC.
    uint256 public constant MAX_TOKENS = 4;
    /// @notice The largest carbon share of a release: 10%.
    uint256 public constant MAX_CARBON_BPS = 1_000;
    /// @notice Refused carbon payments, counted at least CARBON_RETRY_SPACING apart, after which
    /// anyone may send the carbon share to the DAO.
    uint256 public constant CARBON_MAX_FAILURES = 3;
    /// @notice The least time between two counted carbon payment failures (so a stuck share is
    /// declared stuck over two days at the earliest, not in one block).
    uint256 public constant CARBON_RETRY_SPACING = 1 days;
    /// @notice How long after a milestone's deadline the oracle or the DAO may still decide it.
    uint256 public constant DECISION_WINDOW = 30 days;
    /// @notice Reputation points recorded once per donor per round (ActivityKind.DONATION).
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

    /// @notice A donor's part in one currency: what they gave and what they were rewarded for.
    /// Both fit: a contribution is at most `raised` (a uint128) and rewarded <= contribution.
    struct Share {
        uint128 contribution;
        uint128 rewarded;
    }

    /// @notice Refused carbon payments in one currency: how many were counted and when the last was.
    struct CarbonFailures {
        uint64 lastAt;
        uint64 count;
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
    mapping(address donor => mapping(address currency => Share)) private _shares;
    mapping(address donor => mapping(address currency => bool)) private _refundClaimed;
    mapping(address donor => bool) private _pointsRecorded;
    mapping(address currency => CarbonFailures) private _carbonFailures;
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
    /// @notice Minting governance tokens or recording reputation for a claim failed; that part
    /// stays claimable.
    event DonationRewardFailed(address indexed donor, address indexed currency, bytes reason);
    /// @notice `donor` was rewarded for released money: `amount` of `currency` recorded with the
    /// governance token (0 if none was due or it failed) and `points` of reputation (0 if none).
    event RewardClaimed(address indexed donor, address indexed currency, uint256 amount, uint256 points);
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
    /// @notice `offsetter` refused (or could not take) the carbon share of `amount` in `currency`;
    /// `failures` is the count towards CARBON_MAX_FAILURES (unchanged if within CARBON_RETRY_SPACING).
    event CarbonOffsetFailed(
        address indexed currency, address indexed offsetter, uint256 amount, uint256 failures, bytes reason
    );
    /// @notice The carbon share owed in `currency` could not be paid and went to the DAO treasury.
    event StuckCarbonSentToDao(address indexed currency, uint256 amount, address dao);
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
    error FundingRoundNothingToClaim(address donor, address currency);
    error FundingRoundFounderNotRewarded(address founder);
    error FundingRoundRewardsOff();
    error FundingRoundCarbonNotStuck(address currency, uint256 failures, uint256 needed);
    error FundingRoundUseDonate();

    /// @notice Deploy the implementation (the factory does, once per wiring).
    /// @param factory The FundingRoundFactory allowed to initialize clones of this implementation.
    /// @param platform The wiring; `carbonOffsetter` only decides whether carbon is on (`carbonBps`
    /// becomes 0 without one): offsets are paid to the factory's current `carbonOffsetter()`.
    constructor(address factory, Platform memory platform) {
        if (factory == address(0) || platform.dao == address(0)) revert FundingRoundZeroAddress();
        if (platform.carbonBps > MAX_CARBON_BPS) revert FundingRoundBadCarbonShare(platform.carbonBps);
        _factory = factory;
        _dao = platform.dao;
        _governanceToken = platform.governanceToken;
        _badges = platform.badges;
        _streams = platform.streams;
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

    /// @notice Donate the attached native value (rewards are claimed later, for what is released).
    function donate() external payable nonReentrant {
        _requireFunding();
        _record(NATIVE, msg.value, msg.value);
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
        if (streamId != 0 && !extended && IStreamRecords(_streams).refundableAmountOf(streamId) != 0) {
            // A cancelled stream is about to be replaced: send its unvested rest to the DAO now,
            // or nothing would point at it any more.
            _reclaim(streamId, currency);
        }
        if (extended) {
            endTime = Math.max(endTime, IStreamRecords(_streams).getStream(streamId).endTime);
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
    /// unvested rest back and send it to the DAO treasury (not to donors: see the contract's
    /// recorded decisions). Anyone.
    function reclaimCancelledStream(address currency) external nonReentrant returns (uint256 amount) {
        uint256 streamId = _streamIds[currency];
        if (streamId == 0 || IStreamRecords(_streams).refundableAmountOf(streamId) == 0) {
            revert FundingRoundNoReclaimableStream(currency, streamId);
        }
        return _reclaim(streamId, currency);
    }

    /// @notice Reclaim any earlier stream of this round that the DAO cancelled after a newer one
    /// replaced it (a paused stream is replaced, then cancelled). Anyone; Streams only refunds
    /// the round, the stream's sender.
    function reclaimCancelledStreamById(uint256 streamId) external nonReentrant returns (uint256 amount) {
        address currency = IStreamRecords(_streams).getStream(streamId).token;
        if (IStreamRecords(_streams).refundableAmountOf(streamId) == 0) {
            revert FundingRoundNoReclaimableStream(currency, streamId);
        }
        return _reclaim(streamId, currency);
    }

    /// @notice Pay the carbon share owed in `currency` to the factory's current offsetter, which
    /// retires credits for the founder. Anyone (keepers). A refusal does not revert: the share
    /// stays owed, `CarbonOffsetFailed` is emitted and counted (at most once per
    /// CARBON_RETRY_SPACING), and 0 is returned.
    function offsetCarbon(address currency) external nonReentrant returns (uint256 retirementEventId) {
        Ledger storage money = _ledgers[currency];
        uint256 amount = money.carbonOwed;
        if (amount == 0) revert FundingRoundNothingOwed(currency);
        address offsetter = IFundingRoundFactory(_factory).carbonOffsetter();
        money.carbonOwed = 0;
        bytes memory call;
        uint256 value;
        if (currency == NATIVE) {
            call = abi.encodeCall(ICarbonOffsetPayments.offset, (_founder));
            value = amount;
        } else {
            IERC20(currency).forceApprove(offsetter, amount);
            call = abi.encodeCall(ICarbonOffsetPayments.offsetWithToken, (currency, amount, _founder));
        }
        // A low-level call: any refusal (a revert, a missing function) is a counted failure
        // instead of a revert that would leave the share stuck and uncounted. A call that
        // succeeded took the payment, whatever it answered, so it is never owed twice.
        bool ok;
        bytes memory answer;
        if (offsetter.code.length != 0) (ok, answer) = offsetter.call{value: value}(call);
        if (ok) {
            uint256 credits;
            if (answer.length == 64) (retirementEventId, credits) = abi.decode(answer, (uint256, uint256));
            delete _carbonFailures[currency];
            emit CarbonOffset(currency, amount, retirementEventId, credits);
            return retirementEventId;
        }
        // It came out of carbonOwed just above, so it fits in uint128.
        money.carbonOwed = uint128(amount);
        if (currency != NATIVE) IERC20(currency).forceApprove(offsetter, 0);
        _countCarbonFailure(currency, offsetter, amount, answer);
        return 0;
    }

    /// @notice Once the offsetter refused the carbon share in `currency` CARBON_MAX_FAILURES times
    /// (counted at least CARBON_RETRY_SPACING apart), send it to the DAO treasury. Anyone.
    function sendStuckCarbonToDao(address currency) external nonReentrant returns (uint256 amount) {
        uint256 failures = _carbonFailures[currency].count;
        if (failures < CARBON_MAX_FAILURES) revert FundingRoundCarbonNotStuck(currency, failures, CARBON_MAX_FAILURES);
        Ledger storage money = _ledgers[currency];
        amount = money.carbonOwed;
        if (amount == 0) revert FundingRoundNothingOwed(currency);
        money.carbonOwed = 0;
        delete _carbonFailures[currency];
        emit StuckCarbonSentToDao(currency, amount, _dao);
        Payments.pay(currency, _dao, amount);
    }

    // ----- rewards -----

    /// @notice Pull the reward for the released part of your donations in `currency`:
    /// `contribution * released / raised` (rounded down) minus what was already rewarded, recorded
    /// with the governance token through the factory, and reputation points once per round when
    /// your rewarded amount reaches the factory's minimum. Not for the founder.
    /// @dev Each part is marked only once recorded; a failed part emits `DonationRewardFailed`
    /// and stays claimable. Reverts when nothing is claimable, and when nothing could be
    /// attempted because the platform has neither a token nor badges.
    function claimReward(address currency) external nonReentrant returns (uint256 amount, uint256 points) {
        if (msg.sender == _founder) revert FundingRoundFounderNotRewarded(msg.sender);
        (uint256 due, uint256 pointsDue) = _claimable(msg.sender, currency);
        if (due == 0 && pointsDue == 0) revert FundingRoundNothingToClaim(msg.sender, currency);
        IFundingRoundFactory relay = IFundingRoundFactory(_factory);
        bool attempted;
        if (due != 0 && _governanceToken != address(0)) {
            attempted = true;
            try relay.mintReward(msg.sender, currency, due) {
                // rewarded + due <= contribution, a uint128.
                _shares[msg.sender][currency].rewarded += uint128(due);
                amount = due;
            } catch (bytes memory reason) {
                emit DonationRewardFailed(msg.sender, currency, reason);
            }
        }
        if (pointsDue != 0 && _badges != address(0)) {
            attempted = true;
            try relay.recordReputation(msg.sender, pointsDue) {
                _pointsRecorded[msg.sender] = true;
                points = pointsDue;
            } catch (bytes memory reason) {
                emit DonationRewardFailed(msg.sender, currency, reason);
            }
        }
        if (!attempted) revert FundingRoundRewardsOff();
        if (amount != 0 || points != 0) emit RewardClaimed(msg.sender, currency, amount, points);
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

    /// @notice The factory that created this round (and relays its rewards).
    function factory() external view returns (address) {
        return _factory;
    }

    /// @notice The round's wiring; `carbonOffsetter` is the factory's current one.
    function platform() external view returns (Platform memory) {
        address offsetter = IFundingRoundFactory(_factory).carbonOffsetter();
        return Platform(_dao, _governanceToken, _badges, _streams, offsetter, _carbonBps);
    }

    /// @notice Who receives the round's releases.
    function founder() external view returns (address) {
        return _founder;
    }

    /// @notice The stored status (a round past its deadline stays Funding until finalized).
    function status() external view returns (Status) {
        return _status;
    }

    /// @notice The MATIC-equivalent wei the round must raise to succeed.
    function goal() external view returns (uint256) {
        return _goal;
    }

    /// @notice When donations close.
    function deadline() external view returns (uint64) {
        return _deadline;
    }

    /// @notice The IPFS CID of the round's description.
    function metadataCid() external view returns (string memory) {
        return _metadataCid;
    }

    /// @notice What counts towards the goal: native wei plus ERC-20 donations at their donation-time rate.
    function raisedEquivalent() public view returns (uint256) {
        return _raisedOf(NATIVE) + _tokenEquivalent;
    }

    /// @notice The ERC-20s accepted besides native MATIC.
    function acceptedTokens() external view returns (address[] memory) {
        return _tokens;
    }

    /// @notice Whether donations in `currency` are accepted (native always).
    function isAccepted(address currency) external view returns (bool) {
        return currency == NATIVE || _accepted[currency];
    }

    /// @notice How many milestones the round has.
    function milestoneCount() external view returns (uint256) {
        return _milestones.length;
    }

    /// @notice Milestone `milestoneId` as stored.
    function milestone(uint256 milestoneId) external view returns (Milestone memory) {
        return _milestone(milestoneId);
    }

    /// @notice The sum of approved milestones' shares.
    function approvedBps() external view returns (uint16) {
        return _approvedBps;
    }

    /// @notice The round's money in `currency`.
    function ledger(address currency) external view returns (Ledger memory money) {
        money = _ledgers[currency];
        // Fits: it was stored as a uint128.
        money.raised = uint128(_raisedOf(currency));
    }

    /// @notice What `donor` gave in `currency`, in all.
    function contributionOf(address donor, address currency) external view returns (uint256) {
        return _shares[donor][currency].contribution;
    }

    /// @notice What `donor` was rewarded for so far in `currency`.
    function rewardedOf(address donor, address currency) external view returns (uint256) {
        return _shares[donor][currency].rewarded;
    }

    /// @notice What `donor` could claim now in `currency`: the `amount` to be rewarded and
    /// reputation `points` (0 and 0 for the founder).
    function claimableReward(address donor, address currency) external view returns (uint256 amount, uint256 points) {
        if (donor == _founder) return (0, 0);
        return _claimable(donor, currency);
    }

    /// @notice Whether `donor` already earned this round's reputation points.
    function pointsRecorded(address donor) external view returns (bool) {
        return _pointsRecorded[donor];
    }

    /// @notice Counted carbon payment failures in `currency` and when the last was counted.
    function carbonFailures(address currency) external view returns (CarbonFailures memory) {
        return _carbonFailures[currency];
    }

    /// @notice What `donor` could claim back in `currency` now (0 while refunds are closed).
    function refundable(address donor, address currency) external view returns (uint256) {
        Status current = _status;
        if (current == Status.Funding && block.timestamp > _deadline) {
            current = raisedEquivalent() >= _goal ? Status.Succeeded : Status.Failed;
        }
        return _refundsOpen(current) ? _refundable(donor, currency) : 0;
    }

    /// @notice The round's current stream in `currency` (0: none).
    function streamIdOf(address currency) external view returns (uint256) {
        return _streamIds[currency];
    }

    /// @notice The latest end of the approved streamed milestones' streams.
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
        Share storage share = _shares[msg.sender][currency];
        uint256 donorTotal = share.contribution + amount;
        // donorTotal <= raised, which `_addRaised` just checked fits in uint128.
        share.contribution = uint128(donorTotal);
        emit Donated(msg.sender, currency, amount, equivalent, donorTotal);
    }

    /// @dev The reward due (released share minus already rewarded) and the points due: once per
    /// round, when the donor's rewarded amount in `currency` with this claim reaches the factory's
    /// minimum for it (points are for released money, so a failed mint does not hold them back).
    function _claimable(address donor, address currency) private view returns (uint256 amount, uint256 points) {
        uint256 raised = _raisedOf(currency);
        if (raised == 0) return (0, 0);
        Share storage share = _shares[donor][currency];
        uint256 rewarded = share.rewarded;
        // released <= raised, so the share is at most the contribution; rewarded never exceeds it.
        amount = (uint256(share.contribution) * _ledgers[currency].released) / raised - rewarded;
        uint256 total = rewarded + amount;
        if (_pointsRecorded[donor] || total == 0) return (amount, 0);
        uint256 minimum = IFundingRoundFactory(_factory).reputationMinimum(currency);
        if (minimum != 0 && total >= minimum) points = DONATION_POINTS;
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

    function _countCarbonFailure(address currency, address offsetter, uint256 amount, bytes memory reason) private {
        CarbonFailures storage failures = _carbonFailures[currency];
        uint64 count = failures.count;
        if (count == 0 || block.timestamp >= failures.lastAt + CARBON_RETRY_SPACING) {
            ++count;
            failures.count = count;
            failures.lastAt = uint64(block.timestamp);
        }
        emit CarbonOffsetFailed(currency, offsetter, amount, count, reason);
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
        return (uint256(_shares[donor][currency].contribution) * (raised - _ledgers[currency].released)) / raised;
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
        amount = IStreamRecords(_streams).withdrawRefund(streamId);
        emit StreamReclaimed(streamId, currency, amount, _dao);
        Payments.pay(currency, _dao, amount);
    }

    function _isLive(uint256 streamId) private view returns (bool) {
        IStreamRecords.Stream memory stream = IStreamRecords(_streams).getStream(streamId);
        return !stream.cancelled && stream.pausedAt == 0;
    }

    function _milestone(uint256 milestoneId) private view returns (Milestone storage) {
        if (milestoneId >= _milestones.length) revert FundingRoundUnknownMilestone(milestoneId);
        return _milestones[milestoneId];
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Governor} from "@openzeppelin/contracts/governance/Governor.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {GovernorSettings} from "@openzeppelin/contracts/governance/extensions/GovernorSettings.sol";
import {GovernorTimelockControl} from "@openzeppelin/contracts/governance/extensions/GovernorTimelockControl.sol";
import {GovernorVotes} from "@openzeppelin/contracts/governance/extensions/GovernorVotes.sol";
import {GovernorVotesQuorumFraction} from
    "@openzeppelin/contracts/governance/extensions/GovernorVotesQuorumFraction.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";
import {IERC6372} from "@openzeppelin/contracts/interfaces/IERC6372.sol";
import {Time} from "@openzeppelin/contracts/utils/types/Time.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IReputationBadge} from "../reputation/IReputationBadge.sol";
import {IDAOCore} from "./IDAOCore.sol";
import {IGuardianCouncil} from "./IGuardianCouncil.sol";
import {IRoundRegistry} from "./IRoundRegistry.sol";
import {CallPolicy} from "./CallPolicy.sol";

/// @title DAOCore
/// @notice ImpactChain's Governor. Proposals carry a type — HELP_REQUEST, FOUNDER_IDEA,
/// TREASURY_SPEND or ADMIN — with its own voting period, quorum and counting (simple or
/// quadratic), all set by governance. The type is part of the proposal id: it is read from a
/// `#type=<NAME>` suffix of the description (see `CallPolicy.proposalTypeOf`).
///
/// What a proposal may do depends on its type. HELP_REQUEST and FOUNDER_IDEA proposals may only
/// make calls on their type's allowlist of (target, selector), with no value attached, kept by
/// the `CallPolicy` this contract creates (`callPolicy()`); DAOCore, the timelock and the policy
/// itself can never be on it, so settings, role grants, upgrades, timelock changes, policy
/// changes and every move of treasury assets need a TREASURY_SPEND or ADMIN proposal. Those may call anything, but cannot be queued without M-of-N approval of the
/// guardian council. The council may also fast-track a HELP_REQUEST whose every call is an
/// allowlisted emergency operation (e.g. `HelpDesk.flagEmergency`).
/// @dev Timing: voting delay and periods are in blocks (the token's clock, which must count
/// block numbers: checked at construction, and a GovernanceToken upgrade must keep it); voting
/// periods are at most 2^24 - 1 blocks (about 388 days at Polygon's 2-second blocks). Timelock
/// delays are in seconds. The TimelockController's own minimum delay is the *shortest* delay
/// any proposal may get (the emergency one); DAOCore holds ordinary proposals for
/// `timelockDelay()` by refusing to execute them before their ETA, so the timelock's
/// EXECUTOR_ROLE must be granted to this contract only.
///
/// Quorum: for + abstain *tokens committed* against a fraction of the total supply at the
/// snapshot (a type's `quorumBps`, or GovernorVotesQuorumFraction's `quorum()` when 0).
/// Quadratic types decide the outcome by floor(sqrt(tokens committed)), in token wei: one whole
/// token (1e18 wei) weighs 1e9, so flooring loses under one billionth of a token-root per vote.
/// Quadratic voters must have held a DONOR or VERIFIER badge at the proposal's snapshot
/// (`ReputationBadge.hasBadgeAt`): a badge issued later does not count, and one revoked after
/// the snapshot still does, as votes do.
contract DAOCore is
    IDAOCore,
    Governor,
    GovernorSettings,
    GovernorVotes,
    GovernorVotesQuorumFraction,
    GovernorTimelockControl
{
    uint256 private constant _DONOR_BADGE = 1;
    uint256 private constant _VERIFIER_BADGE = 3;
    uint256 private constant _BPS = 10_000;
    uint8 private constant _QUADRATIC = 1;
    uint8 private constant _CANCELED = 2;
    uint8 private constant _FAST_TRACKABLE = 4;
    string private constant _BLOCK_NUMBER_CLOCK = "mode=blocknumber&from=default";

    /// @notice Per-type settings. `votingPeriod` 0 = GovernorSettings' period; `quorumBps` 0 =
    /// GovernorVotesQuorumFraction's quorum.
    struct TypeConfig {
        uint32 votingPeriod;
        uint16 quorumBps;
        bool quadratic;
    }

    /// @notice Fast-track settings: the shortened voting period (blocks from the snapshot), the
    /// timelock delay (seconds), the emergency quorum (bps of supply; a proposal gets the higher of
    /// this and its own) and how many blocks of voting must be left to fast-track an Active vote.
    struct EmergencyConfig {
        uint32 votingPeriod;
        uint32 timelockDelay;
        uint16 quorumBps;
        uint32 minBlocksLeft;
    }

    /// @notice A proposal's type, counting mode, emergency flag, quorum (bps of supply, 0 =
    /// GovernorVotesQuorumFraction's), shortened deadline (0 unless fast-tracked) and whether
    /// every call is an emergency operation (so the guardians may fast-track it).
    struct ProposalConfig {
        ProposalType proposalType;
        bool quadratic;
        bool emergency;
        uint16 quorumBps;
        uint32 emergencyDeadline;
        bool fastTrackable;
    }

    /// @dev Everything DAOCore keeps per proposal. The first slot holds all a vote reads (snapshot,
    /// deadline, counting mode, cancellation) together with what a vote in favour writes, so a
    /// vote proves the proposal Active and counts itself touching that one slot (and the voter's
    /// `hasVoted` flag) instead of also reading Governor's proposal core. `voteStart` and
    /// `voteDuration` mirror Governor's core at proposal time; only `fastTrack` shortens the
    /// duration, and `proposalDeadline` is derived from them. 96-bit totals hold any supply of
    /// GovernanceToken (cap 1e27 < 2^96); arithmetic is checked, so a larger token would revert
    /// rather than wrap. Block numbers fit 32 bits for centuries on Polygon (SafeCast reverts
    /// beyond).
    struct ProposalRecord {
        uint32 voteStart;
        uint24 voteDuration;
        /// @dev _QUADRATIC | _CANCELED | _FAST_TRACKABLE.
        uint8 flags;
        uint96 forVotes;
        /// @dev Quadratic proposals only: tokens committed for or abstaining.
        uint96 quorumTokens;
        uint96 againstVotes;
        uint96 abstainVotes;
        ProposalType proposalType;
        bool emergency;
        uint16 quorumBps;
        mapping(address voter => bool) hasVoted;
    }

    IReputationBadge private immutable _badges;
    IGuardianCouncil private _council;
    uint32 private _timelockDelay;
    EmergencyConfig private _emergency;
    mapping(ProposalType => TypeConfig) private _typeConfig;
    mapping(uint256 proposalId => ProposalRecord) private _records;
    CallPolicy private immutable _policy;
    /// @dev Type of the proposal being created, plus one (0 = none is being created).
    uint8 private transient _pendingType;

    /// @notice `proposalId` was created as `proposalType`; voting ends at `voteEnd`.
    event ProposalTyped(
        uint256 indexed proposalId, ProposalType indexed proposalType, bool quadratic, uint256 voteEnd, uint256 quorumBps
    );
    /// @notice `voter` committed `tokens` to a quadratic vote on `proposalId`, counted as `weight`.
    event QuadraticVoteCounted(uint256 indexed proposalId, address indexed voter, uint256 tokens, uint256 weight);
    /// @notice The guardian council fast-tracked `proposalId`: new deadline, quorum and timelock delay.
    event EmergencyFastTracked(uint256 indexed proposalId, uint256 voteEnd, uint256 quorumBps, uint256 timelockDelay);
    event ProposalTypeConfigured(ProposalType indexed proposalType, uint32 votingPeriod, uint16 quorumBps, bool quadratic);
    event EmergencyConfigured(uint32 votingPeriod, uint32 timelockDelay, uint16 quorumBps, uint32 minBlocksLeft);
    event TimelockDelaySet(uint32 previousDelay, uint32 newDelay);
    event GuardianCouncilSet(address indexed previousCouncil, address indexed newCouncil);


    error DAOCoreZeroAddress();
    error DAOCoreInvalidQuorum(uint256 quorumBps);
    error DAOCoreInvalidVotingPeriod(uint256 votingPeriod);
    error DAOCoreProposalTypeMismatch(ProposalType declared, ProposalType described);
    error DAOCoreOnlyGuardianCouncil(address caller);
    error DAOCoreNotEmergencyOperation(uint256 proposalId);
    error DAOCoreNotFastTrackable(uint256 proposalId, ProposalState state);
    error DAOCoreTooLateToFastTrack(uint256 proposalId, uint256 blocksLeft, uint256 minBlocksLeft);
    error DAOCoreInvalidEmergencyWindow(uint256 minBlocksLeft);
    error DAOCoreGuardianApprovalMissing(uint256 proposalId, uint256 approvals, uint256 threshold);
    error DAOCoreTimelockNotReady(uint256 proposalId, uint256 eta);
    error DAOCoreVoterNotEligible(address voter);
    error DAOCoreInvalidVoteParams(uint256 length);
    error DAOCoreCommitmentExceedsVotes(address voter, uint256 committed, uint256 votes);
    error DAOCoreUnsupportedClock(string clockMode);

    /// @param initialPolicy The allowlists of HELP_REQUEST and FOUNDER_IDEA proposals, given to
    /// the CallPolicy created here; everything not on them needs a TREASURY_SPEND or ADMIN proposal.
    /// @param initialRoundFactory The factory whose rounds CallPolicy.ANY_ROUND entries cover (0 = none).
    constructor(
        IVotes token,
        TimelockController timelock,
        IReputationBadge badges,
        IGuardianCouncil council,
        uint48 initialVotingDelay,
        uint32 initialVotingPeriod,
        uint256 initialProposalThreshold,
        uint256 initialQuorumPercent,
        uint32 initialTimelockDelay,
        CallPolicy.CallPermission[] memory initialPolicy,
        IRoundRegistry initialRoundFactory
    )
        Governor("ImpactChain DAO")
        GovernorSettings(initialVotingDelay, initialVotingPeriod, initialProposalThreshold)
        GovernorVotes(token)
        GovernorVotesQuorumFraction(initialQuorumPercent)
        GovernorTimelockControl(timelock)
    {
        if (address(badges) == address(0) || address(council) == address(0)) revert DAOCoreZeroAddress();
        string memory tokenClock = IERC6372(address(token)).CLOCK_MODE();
        if (keccak256(bytes(tokenClock)) != keccak256(bytes(_BLOCK_NUMBER_CLOCK))) {
            revert DAOCoreUnsupportedClock(tokenClock);
        }
        _badges = badges;
        _council = council;
        _timelockDelay = initialTimelockDelay;
        _typeConfig[ProposalType.FOUNDER_IDEA].quadratic = true;
        uint32 emergencyPeriod = uint32(Math.max(initialVotingPeriod / 4, 1));
        _setEmergencyConfig(emergencyPeriod, 0, 2000, emergencyPeriod);
        _policy = new CallPolicy(address(timelock), initialPolicy, initialRoundFactory);
    }

    // ----- proposing -----

    /// @notice Propose as `typeOfProposal`, which must be the type the description names (see
    /// `CallPolicy.proposalTypeOf`): the type is part of the proposal id, so nobody can front-run this
    /// proposal with the same calls under another type. Plain `propose` reads the type the same way.
    function proposeTyped(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        string memory description,
        ProposalType typeOfProposal
    ) external returns (uint256) {
        ProposalType described = _policy.proposalTypeOf(description);
        if (described != typeOfProposal) revert DAOCoreProposalTypeMismatch(typeOfProposal, described);
        return propose(targets, values, calldatas, description);
    }

    function _propose(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        string memory description,
        address proposer
    ) internal override returns (uint256 proposalId) {
        ProposalType typeOfProposal = _policy.proposalTypeOf(description);
        // votingPeriod() reads _pendingType, so the type's period is used by Governor's _propose.
        // Cannot overflow: the enum has four members.
        unchecked {
            _pendingType = uint8(typeOfProposal) + 1;
        }
        // Governor's _propose checks the array lengths the screening below relies on.
        proposalId = super._propose(targets, values, calldatas, description, proposer);
        _pendingType = 0;
        bool fastTrackable = _policy.screen(typeOfProposal, targets, values, calldatas);
        TypeConfig memory config = _typeConfig[typeOfProposal];
        ProposalRecord storage record = _records[proposalId];
        uint256 snapshot = super.proposalSnapshot(proposalId);
        uint256 deadline = super.proposalDeadline(proposalId);
        record.voteStart = SafeCast.toUint32(snapshot);
        // Cannot truncate: every voting period is checked against type(uint24).max when set.
        record.voteDuration = uint24(deadline - snapshot);
        record.flags = (config.quadratic ? _QUADRATIC : 0) | (fastTrackable ? _FAST_TRACKABLE : 0);
        record.proposalType = typeOfProposal;
        record.quorumBps = config.quorumBps;
        emit ProposalTyped(proposalId, typeOfProposal, config.quadratic, deadline, config.quorumBps);
    }

    /// @notice The voting period of the proposal being created (its type's, during `propose`),
    /// otherwise GovernorSettings' default.
    function votingPeriod() public view override(Governor, GovernorSettings) returns (uint256) {
        uint8 pending = _pendingType;
        if (pending != 0) {
            uint32 typePeriod;
            // Cannot underflow: pending is non-zero.
            unchecked {
                typePeriod = _typeConfig[ProposalType(pending - 1)].votingPeriod;
            }
            if (typePeriod != 0) return typePeriod;
        }
        return super.votingPeriod();
    }

    // ----- emergencies and the guardian council -----

    /// @inheritdoc IDAOCore
    /// @dev Only a proposal whose every call is an allowlisted emergency operation, while it is
    /// Pending or Active with at least `minBlocksLeft` blocks of voting left. Shortens voting to
    /// the emergency period from the snapshot, but never to fewer than `minBlocksLeft` blocks from
    /// now nor beyond the original deadline; the quorum becomes the higher of the proposal's and
    /// the emergency one; the timelock delay becomes the emergency one.
    function fastTrack(uint256 proposalId) external {
        if (msg.sender != address(_council)) revert DAOCoreOnlyGuardianCouncil(msg.sender);
        ProposalState current = state(proposalId);
        ProposalRecord storage record = _records[proposalId];
        if (record.flags & _FAST_TRACKABLE == 0) revert DAOCoreNotEmergencyOperation(proposalId);
        if (record.emergency || (current != ProposalState.Pending && current != ProposalState.Active)) {
            revert DAOCoreNotFastTrackable(proposalId, current);
        }
        EmergencyConfig memory emergency = _emergency;
        uint256 snapshot = record.voteStart;
        uint256 original = snapshot + record.voteDuration;
        uint256 now_ = clock();
        // Cannot underflow: an Active proposal's deadline is not before now.
        if (current == ProposalState.Active && original - now_ < emergency.minBlocksLeft) {
            revert DAOCoreTooLateToFastTrack(proposalId, original - now_, emergency.minBlocksLeft);
        }
        uint256 deadline = Math.max(snapshot + emergency.votingPeriod, now_ + emergency.minBlocksLeft);
        deadline = Math.min(deadline, original);
        uint256 quorumBps = record.quorumBps;
        if (quorumBps == 0) quorumBps = Math.mulDiv(quorumNumerator(snapshot), _BPS, quorumDenominator());
        quorumBps = Math.max(quorumBps, emergency.quorumBps);
        // Cannot truncate: the new duration is at most the old one; both quorums are at most _BPS.
        record.voteDuration = uint24(deadline - snapshot);
        record.emergency = true;
        record.quorumBps = uint16(quorumBps);
        emit EmergencyFastTracked(proposalId, deadline, quorumBps, emergency.timelockDelay);
    }

    /// @notice The last block of voting on `proposalId` (shortened when fast-tracked); 0 if unknown.
    function proposalDeadline(uint256 proposalId) public view override returns (uint256) {
        ProposalRecord storage record = _records[proposalId];
        return uint256(record.voteStart) + record.voteDuration;
    }

    /// @notice The DAO's clock: block numbers, as GovernanceToken's votes are checkpointed.
    /// @dev Not asked of the token on every call (GovernorVotes' default): the constructor
    /// checked the token's clock mode once.
    function clock() public view override(Governor, GovernorVotes) returns (uint48) {
        return Time.blockNumber();
    }

    /// @notice Block numbers (ERC-6372).
    // solhint-disable-next-line func-name-mixedcase
    function CLOCK_MODE() public pure override(Governor, GovernorVotes) returns (string memory) {
        return _BLOCK_NUMBER_CLOCK;
    }

    // ----- governance-only settings -----

    /// @notice Voting period (blocks, 0 = default), quorum (bps of supply, 0 = default) and
    /// counting of `typeOfProposal` proposals created from now on. Governance only.
    function setProposalTypeConfig(ProposalType typeOfProposal, uint32 period, uint16 quorumBps, bool quadratic)
        external
        onlyGovernance
    {
        if (quorumBps > _BPS) revert DAOCoreInvalidQuorum(quorumBps);
        if (period > type(uint24).max) revert DAOCoreInvalidVotingPeriod(period);
        _typeConfig[typeOfProposal] = TypeConfig(period, quorumBps, quadratic);
        emit ProposalTypeConfigured(typeOfProposal, period, quorumBps, quadratic);
    }

    /// @notice Fast-track settings (see EmergencyConfig): voting `period` in blocks, timelock
    /// `delay` in seconds, `quorumBps`, and `minBlocksLeft` an Active vote must still have.
    /// Governance only.
    function setEmergencyConfig(uint32 period, uint32 delay, uint16 quorumBps, uint32 minBlocksLeft)
        external
        onlyGovernance
    {
        _setEmergencyConfig(period, delay, quorumBps, minBlocksLeft);
    }

    /// @notice Delay (seconds) between queue and execution for ordinary proposals; never less
    /// than the timelock's minimum delay. Governance only.
    function setTimelockDelay(uint32 delay) external onlyGovernance {
        uint32 previous = _timelockDelay;
        _timelockDelay = delay;
        emit TimelockDelaySet(previous, delay);
    }

    /// @notice Replace the guardian council. Governance only.
    function setGuardianCouncil(IGuardianCouncil council) external onlyGovernance {
        if (address(council) == address(0)) revert DAOCoreZeroAddress();
        address previous = address(_council);
        _council = council;
        emit GuardianCouncilSet(previous, address(council));
    }

    // ----- views -----

    /// @inheritdoc IDAOCore
    function proposalType(uint256 proposalId) external view returns (ProposalType) {
        _requireExists(proposalId);
        return _records[proposalId].proposalType;
    }

    /// @notice Type, counting, emergency flag, quorum and emergency deadline of `proposalId`.
    function proposalConfig(uint256 proposalId) external view returns (ProposalConfig memory) {
        _requireExists(proposalId);
        ProposalRecord storage record = _records[proposalId];
        bool emergency = record.emergency;
        uint8 flags = record.flags;
        return ProposalConfig(
            record.proposalType,
            flags & _QUADRATIC != 0,
            emergency,
            record.quorumBps,
            emergency ? SafeCast.toUint32(proposalDeadline(proposalId)) : 0,
            flags & _FAST_TRACKABLE != 0
        );
    }

    /// @notice The CallPolicy that screens HELP_REQUEST and FOUNDER_IDEA proposals' calls and reads
    /// proposal types from descriptions (created by the constructor; governed by the timelock).
    function callPolicy() external view returns (address) {
        return address(_policy);
    }

    /// @notice Tokens (for + abstain) that `proposalId` needs to reach quorum.
    function proposalQuorum(uint256 proposalId) public view returns (uint256) {
        uint256 snapshot = proposalSnapshot(proposalId);
        uint256 quorumBps = _records[proposalId].quorumBps;
        if (quorumBps == 0) return quorum(snapshot);
        return Math.mulDiv(token().getPastTotalSupply(snapshot), quorumBps, _BPS);
    }

    /// @notice Counted weights (token wei, or token-roots for quadratic proposals).
    function proposalVotes(uint256 proposalId)
        external
        view
        returns (uint256 againstVotes, uint256 forVotes, uint256 abstainVotes)
    {
        ProposalRecord storage record = _records[proposalId];
        return (record.againstVotes, record.forVotes, record.abstainVotes);
    }

    /// @notice Tokens committed for or abstaining on `proposalId` (what quorum measures).
    function proposalQuorumTokens(uint256 proposalId) public view returns (uint256) {
        ProposalRecord storage record = _records[proposalId];
        if (record.flags & _QUADRATIC != 0) return record.quorumTokens;
        return uint256(record.forVotes) + record.abstainVotes;
    }

    /// @notice Voting period, quorum and counting of `typeOfProposal`.
    function proposalTypeConfig(ProposalType typeOfProposal) external view returns (TypeConfig memory) {
        return _typeConfig[typeOfProposal];
    }

    /// @notice The fast-track settings.
    function emergencyConfig() external view returns (EmergencyConfig memory) {
        return _emergency;
    }

    /// @notice Delay (seconds) between queue and execution of ordinary proposals.
    function timelockDelay() external view returns (uint32) {
        return _timelockDelay;
    }

    /// @notice The guardian council that co-signs TREASURY_SPEND and ADMIN proposals.
    function guardianCouncil() external view returns (address) {
        return address(_council);
    }

    /// @notice The badges that make a voter eligible for quadratic votes.
    function reputationBadge() external view returns (address) {
        return address(_badges);
    }

    /// @notice Whether `account` voted on `proposalId`.
    function hasVoted(uint256 proposalId, address account) public view override returns (bool) {
        return _records[proposalId].hasVoted[account];
    }

    /// @notice Bravo support (against, for, abstain); quorum counts for + abstain; params carry a
    /// quadratic commitment.
    // solhint-disable-next-line func-name-mixedcase
    function COUNTING_MODE() public pure override returns (string memory) {
        return "support=bravo&quorum=for,abstain&params=quadratic";
    }

    // ----- counting -----

    /// @dev Quadratic proposals: `params` empty commits all voting power, or abi.encode(uint256
    /// tokens) commits part of it. Simple proposals take no params.
    function _countVote(uint256 proposalId, address account, uint8 support, uint256 totalWeight, bytes memory params)
        internal
        override
        returns (uint256 weight)
    {
        ProposalRecord storage record = _records[proposalId];
        if (record.hasVoted[account]) revert GovernorAlreadyCastVote(account);
        record.hasVoted[account] = true;

        uint256 committed = totalWeight;
        weight = totalWeight;
        bool quadratic = record.flags & _QUADRATIC != 0;
        if (quadratic) {
            // Eligibility at the snapshot, as voting power is: a badge issued later does not count.
            uint256 snapshot = record.voteStart;
            if (
                !_badges.hasBadgeAt(account, _DONOR_BADGE, snapshot)
                    && !_badges.hasBadgeAt(account, _VERIFIER_BADGE, snapshot)
            ) revert DAOCoreVoterNotEligible(account);
            if (params.length != 0) {
                if (params.length != 32) revert DAOCoreInvalidVoteParams(params.length);
                committed = abi.decode(params, (uint256));
                if (committed > totalWeight) revert DAOCoreCommitmentExceedsVotes(account, committed, totalWeight);
            }
            weight = Math.sqrt(committed);
            emit QuadraticVoteCounted(proposalId, account, committed, weight);
        } else if (params.length != 0) {
            revert DAOCoreInvalidVoteParams(params.length);
        }

        // Simple proposals measure quorum on for + abstain directly; only quadratic ones need
        // the committed tokens kept apart from the (square-rooted) weights.
        if (support == 0) {
            record.againstVotes += SafeCast.toUint96(weight);
        } else if (support == 1) {
            record.forVotes += SafeCast.toUint96(weight);
        } else if (support == 2) {
            record.abstainVotes += SafeCast.toUint96(weight);
        } else {
            revert GovernorInvalidVoteType();
        }
        if (quadratic && support != 0) record.quorumTokens += SafeCast.toUint96(committed);
    }

    /// @dev Governor's `_castVote` with the same checks, effects and events, but proving the
    /// proposal Active from DAOCore's record (see ProposalRecord) rather than from `state()`,
    /// which also reads Governor's proposal core. Anything that does not look Active there is
    /// re-checked with `state()`, so the revert (or, defensively, the vote) is Governor's own.
    function _castVote(uint256 proposalId, address account, uint8 support, string memory reason, bytes memory params)
        internal
        override
        returns (uint256 votedWeight)
    {
        ProposalRecord storage record = _records[proposalId];
        uint256 snapshot = record.voteStart;
        uint256 current = clock();
        if (
            snapshot == 0 || record.flags & _CANCELED != 0 || current <= snapshot
                || current > snapshot + record.voteDuration
        ) {
            _validateStateBitmap(proposalId, _encodeStateBitmap(ProposalState.Active));
            snapshot = proposalSnapshot(proposalId);
        }
        votedWeight = _countVote(proposalId, account, support, _getVotes(account, snapshot, params), params);
        if (params.length == 0) {
            emit VoteCast(account, proposalId, support, votedWeight, reason);
        } else {
            emit VoteCastWithParams(account, proposalId, support, votedWeight, reason, params);
        }
        _tallyUpdated(proposalId);
    }

    function _quorumReached(uint256 proposalId) internal view override returns (bool) {
        return proposalQuorumTokens(proposalId) >= proposalQuorum(proposalId);
    }

    function _voteSucceeded(uint256 proposalId) internal view override returns (bool) {
        ProposalRecord storage record = _records[proposalId];
        return record.forVotes > record.againstVotes;
    }

    // ----- timelock -----

    function _queueOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) returns (uint48) {
        ProposalRecord storage record = _records[proposalId];
        ProposalType typeOfProposal = record.proposalType;
        bool needsGuardians = typeOfProposal == ProposalType.TREASURY_SPEND || typeOfProposal == ProposalType.ADMIN;
        if (needsGuardians && !_council.isTreasurySpendApproved(proposalId)) {
            revert DAOCoreGuardianApprovalMissing(
                proposalId, _council.treasurySpendApprovals(proposalId), _council.threshold()
            );
        }
        // Scheduled at the timelock's minimum delay; the longer ordinary delay is enforced in
        // _executeOperations through the ETA returned here.
        super._queueOperations(proposalId, targets, values, calldatas, descriptionHash);
        uint256 delay = record.emergency ? _emergency.timelockDelay : _timelockDelay;
        delay = Math.max(delay, TimelockController(payable(timelock())).getMinDelay());
        return SafeCast.toUint48(block.timestamp + delay);
    }

    function _executeOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) {
        uint256 eta = proposalEta(proposalId);
        if (block.timestamp < eta) revert DAOCoreTimelockNotReady(proposalId, eta);
        super._executeOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    // ----- internals -----

    function _setEmergencyConfig(uint32 period, uint32 delay, uint16 quorumBps, uint32 minBlocksLeft) private {
        if (period == 0 || period > type(uint24).max) revert DAOCoreInvalidVotingPeriod(period);
        if (quorumBps == 0 || quorumBps > _BPS) revert DAOCoreInvalidQuorum(quorumBps);
        if (minBlocksLeft == 0 || minBlocksLeft > type(uint24).max) revert DAOCoreInvalidEmergencyWindow(minBlocksLeft);
        _emergency = EmergencyConfig(period, delay, quorumBps, minBlocksLeft);
        emit EmergencyConfigured(period, delay, quorumBps, minBlocksLeft);
    }

    function _requireExists(uint256 proposalId) private view {
        if (proposalSnapshot(proposalId) == 0) revert GovernorNonexistentProposal(proposalId);
    }

    // ----- required overrides -----

    /// @notice Blocks between proposing and the snapshot (GovernorSettings).
    function votingDelay() public view override(Governor, GovernorSettings) returns (uint256) {
        return super.votingDelay();
    }

    /// @notice Votes needed to propose (GovernorSettings).
    function proposalThreshold() public view override(Governor, GovernorSettings) returns (uint256) {
        return super.proposalThreshold();
    }

    /// @notice The default quorum (tokens) at `timepoint`: GovernorVotesQuorumFraction's share of supply.
    function quorum(uint256 timepoint) public view override(Governor, GovernorVotesQuorumFraction) returns (uint256) {
        return super.quorum(timepoint);
    }

    /// @notice The state of `proposalId` (Governor, with the timelock's Queued/Executed).
    function state(uint256 proposalId) public view override(Governor, GovernorTimelockControl) returns (ProposalState) {
        return super.state(proposalId);
    }

    /// @notice Every proposal is queued in the timelock.
    function proposalNeedsQueuing(uint256 proposalId)
        public
        view
        override(Governor, GovernorTimelockControl)
        returns (bool)
    {
        return super.proposalNeedsQueuing(proposalId);
    }

    /// @dev Also marks DAOCore's record, which `_castVote` reads instead of Governor's core.
    function _cancel(address[] memory targets, uint256[] memory values, bytes[] memory calldatas, bytes32 descriptionHash)
        internal
        override(Governor, GovernorTimelockControl)
        returns (uint256 proposalId)
    {
        proposalId = super._cancel(targets, values, calldatas, descriptionHash);
        _records[proposalId].flags |= _CANCELED;
    }

    /// @dev Voting periods must fit ProposalRecord's 24-bit duration.
    function _setVotingPeriod(uint32 newVotingPeriod) internal override {
        if (newVotingPeriod > type(uint24).max) revert GovernorInvalidVotingPeriod(newVotingPeriod);
        super._setVotingPeriod(newVotingPeriod);
    }

    function _executor() internal view override(Governor, GovernorTimelockControl) returns (address) {
        return super._executor();
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";

import {IGovernanceToken} from "../governance/IGovernanceToken.sol";
import {IReputationBadge} from "../reputation/IReputationBadge.sol";
import {Payments} from "../utils/Payments.sol";
import {FundingRound} from "./FundingRound.sol";
import {IFundingRound} from "./IFundingRound.sol";
import {IFundingRoundFactory} from "./IFundingRoundFactory.sol";

/// @title FundingRoundFactory
/// @notice Creates funding rounds for founders' ideas the DAO approved, and keeps the registry an
/// indexer follows to discover them.
///
/// Only the DAO's timelock creates rounds: a FOUNDER_IDEA proposal that passed calls
/// `createRound`. Rounds are EIP-1167 minimal clones of one FundingRound implementation, created
/// with CREATE2, so a proposal can name the round's address (`predictRoundAddress`) before it
/// exists.
///
/// Reward relay. Rounds hold no roles of their own: this factory holds DONATION_RECORDER_ROLE on
/// the governance token and ACTIVITY_RECORDER_ROLE on the reputation badges, and records rewards
/// (`mintReward`, `recordReputation`) for its own rounds only. So a FOUNDER_IDEA proposal needs
/// nothing but `createRound`, and the DAO revokes every round's rewards at once by revoking the
/// factory's roles.
///
/// DAO settings rounds read when they need them: the carbon offsetter rounds pay their carbon
/// share to (`setCarbonOffsetter`, a contract), and the reputation minimum per currency
/// (`setReputationMinimum`; native 1 MATIC by default, an ERC-20 without one earns no points).
///
/// Holders of ORACLE_ROLE here (the ML/KPI verifier keeper) may approve or reject milestones of
/// every round, besides the timelock; the admin (the timelock in production) grants and revokes it.
/// @dev The implementation is deployed by the constructor with the platform wiring baked in as
/// immutables. To change the wiring for future rounds the timelock deploys a new FundingRound
/// naming this factory and calls `setImplementation`; existing rounds keep theirs. A new
/// implementation must name this factory's DAO, token and badges: the relay rewards with those.
contract FundingRoundFactory is IFundingRoundFactory, AccessControl {
    /// @notice May approve or reject milestones of every round (the ML/KPI verifier keeper).
    bytes32 public constant ORACLE_ROLE = keccak256("ORACLE_ROLE");
    /// @notice The native reputation minimum until the DAO sets another: 1 MATIC.
    uint256 public constant DEFAULT_NATIVE_REPUTATION_MINIMUM = 1e18;

    address private immutable _timelock;
    address private immutable _governanceToken;
    address private immutable _badges;
    address private _implementation;
    address private _carbonOffsetter;
    address[] private _rounds;
    mapping(address round => bool) private _isRound;
    mapping(address currency => uint256) private _reputationMinimums;

    /// @notice Round number `roundIndex` was created at `round` for `founder` (the event indexers follow).
    event RoundCreated(
        address indexed round,
        address indexed founder,
        bytes32 indexed salt,
        string metadataCid,
        uint256 goal,
        uint64 deadline,
        uint256 milestones,
        uint256 roundIndex,
        address implementation
    );
    event ImplementationSet(address indexed previous, address indexed implementation);
    /// @notice Rounds pay their carbon share to `offsetter` from now on.
    event CarbonOffsetterSet(address indexed previous, address indexed offsetter);
    /// @notice A rewarded amount of `currency` earns reputation points from `minimum` on (0: never).
    event ReputationMinimumSet(address indexed currency, uint256 minimum);

    error FundingRoundFactoryZeroAddress();
    error FundingRoundFactoryOnlyTimelock(address caller);
    error FundingRoundFactorySaltUsed(bytes32 salt, address round);
    error FundingRoundFactoryIndexOutOfRange(uint256 index, uint256 count);
    error FundingRoundFactoryForeignImplementation(address implementation, address factory);
    error FundingRoundFactoryWiringMismatch(address implementation);
    error FundingRoundFactoryNotAContract(address account);
    error FundingRoundFactoryNotRound(address caller);

    /// @notice Deploy the factory and its first FundingRound implementation.
    /// @param admin Grants ORACLE_ROLE; the deploy script hands DEFAULT_ADMIN_ROLE to the timelock.
    /// @param platform The wiring of every round; `platform.dao` is the timelock that creates rounds
    /// and sets the offsetter and minimums; `platform.carbonOffsetter` is the first offsetter (a
    /// contract, or zero for no carbon share at all).
    constructor(address admin, IFundingRound.Platform memory platform) {
        if (admin == address(0) || platform.dao == address(0)) revert FundingRoundFactoryZeroAddress();
        address offsetter = platform.carbonOffsetter;
        if (offsetter != address(0) && offsetter.code.length == 0) revert FundingRoundFactoryNotAContract(offsetter);
        _timelock = platform.dao;
        _governanceToken = platform.governanceToken;
        _badges = platform.badges;
        _carbonOffsetter = offsetter;
        emit CarbonOffsetterSet(address(0), offsetter);
        _reputationMinimums[Payments.NATIVE] = DEFAULT_NATIVE_REPUTATION_MINIMUM;
        emit ReputationMinimumSet(Payments.NATIVE, DEFAULT_NATIVE_REPUTATION_MINIMUM);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        address implementation = address(new FundingRound(address(this), platform));
        _implementation = implementation;
        emit ImplementationSet(address(0), implementation);
    }

    /// @notice Create and initialize the round for an approved idea at `predictRoundAddress(salt)`.
    function createRound(bytes32 salt, IFundingRound.RoundParams calldata params) external returns (address round) {
        if (msg.sender != _timelock) revert FundingRoundFactoryOnlyTimelock(msg.sender);
        address implementation = _implementation;
        address predicted = Clones.predictDeterministicAddress(implementation, salt);
        if (predicted.code.length != 0) revert FundingRoundFactorySaltUsed(salt, predicted);
        round = Clones.cloneDeterministic(implementation, salt);
        IFundingRound(round).initialize(params);
        uint256 roundIndex = _rounds.length;
        _rounds.push(round);
        _isRound[round] = true;
        emit RoundCreated(
            round,
            params.founder,
            salt,
            params.metadataCid,
            params.goal,
            params.deadline,
            params.milestones.length,
            roundIndex,
            implementation
        );
    }

    /// @notice Clone future rounds from `implementation`, a FundingRound naming this factory.
    function setImplementation(address implementation) external {
        if (msg.sender != _timelock) revert FundingRoundFactoryOnlyTimelock(msg.sender);
        if (implementation.code.length == 0) revert FundingRoundFactoryZeroAddress();
        address named = FundingRound(payable(implementation)).factory();
        if (named != address(this)) revert FundingRoundFactoryForeignImplementation(implementation, named);
        IFundingRound.Platform memory wiring = FundingRound(payable(implementation)).platform();
        if (wiring.dao != _timelock || wiring.governanceToken != _governanceToken || wiring.badges != _badges) {
            revert FundingRoundFactoryWiringMismatch(implementation);
        }
        address previous = _implementation;
        _implementation = implementation;
        emit ImplementationSet(previous, implementation);
    }

    /// @notice Rounds pay their carbon share to `offsetter` (an ICarbonOffsetPayments contract)
    /// from now on, including rounds created earlier. Timelock only.
    function setCarbonOffsetter(address offsetter) external {
        if (msg.sender != _timelock) revert FundingRoundFactoryOnlyTimelock(msg.sender);
        if (offsetter.code.length == 0) revert FundingRoundFactoryNotAContract(offsetter);
        address previous = _carbonOffsetter;
        _carbonOffsetter = offsetter;
        emit CarbonOffsetterSet(previous, offsetter);
    }

    /// @notice A donor's rewarded amount of `currency` earns reputation points from `minimum` on
    /// (0: never), in every round. Timelock only.
    function setReputationMinimum(address currency, uint256 minimum) external {
        if (msg.sender != _timelock) revert FundingRoundFactoryOnlyTimelock(msg.sender);
        _reputationMinimums[currency] = minimum;
        emit ReputationMinimumSet(currency, minimum);
    }

    // ----- reward relay (this factory's rounds only) -----

    /// @inheritdoc IFundingRoundFactory
    function mintReward(address donor, address currency, uint256 amount) external {
        if (!_isRound[msg.sender]) revert FundingRoundFactoryNotRound(msg.sender);
        if (currency == Payments.NATIVE) {
            IGovernanceToken(_governanceToken).recordDonation(donor, amount);
        } else {
            IGovernanceToken(_governanceToken).recordTokenDonation(donor, currency, amount);
        }
    }

    /// @inheritdoc IFundingRoundFactory
    function recordReputation(address donor, uint256 points) external {
        if (!_isRound[msg.sender]) revert FundingRoundFactoryNotRound(msg.sender);
        uint8 donation = uint8(IReputationBadge.ActivityKind.DONATION);
        IReputationBadge(_badges).recordActivity(donor, donation, points);
    }

    // ----- views -----

    /// @inheritdoc IFundingRoundFactory
    function carbonOffsetter() external view returns (address) {
        return _carbonOffsetter;
    }

    /// @inheritdoc IFundingRoundFactory
    function reputationMinimum(address currency) external view returns (uint256) {
        return _reputationMinimums[currency];
    }

    /// @notice The governance token and badges the relay records rewards with.
    function rewardRecorders() external view returns (address governanceToken, address badges) {
        return (_governanceToken, _badges);
    }

    /// @notice Where `createRound(salt, ...)` deploys (with the current implementation).
    function predictRoundAddress(bytes32 salt) external view returns (address) {
        return Clones.predictDeterministicAddress(_implementation, salt);
    }

    /// @notice How many rounds this factory created.
    function roundCount() external view returns (uint256) {
        return _rounds.length;
    }

    /// @notice Round number `index` (0-based, in creation order).
    function roundAt(uint256 index) external view returns (address) {
        uint256 count = _rounds.length;
        if (index >= count) revert FundingRoundFactoryIndexOutOfRange(index, count);
        return _rounds[index];
    }

    /// @notice Whether `round` was created by this factory.
    function isRound(address round) external view returns (bool) {
        return _isRound[round];
    }

    /// @notice What new rounds are cloned from.
    function implementation() external view returns (address) {
        return _implementation;
    }

    /// @notice The DAO timelock: creates rounds and changes settings.
    function timelock() external view returns (address) {
        return _timelock;
    }
}

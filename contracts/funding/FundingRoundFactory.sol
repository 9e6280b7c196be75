// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";

import {FundingRound} from "./FundingRound.sol";
import {IFundingRound} from "./IFundingRound.sol";

/// @title FundingRoundFactory
/// @notice Creates funding rounds for founders' ideas the DAO approved, and keeps the registry an
/// indexer follows to discover them.
///
/// Only the DAO's timelock creates rounds: a FOUNDER_IDEA proposal that passed calls
/// `createRound`. Rounds are EIP-1167 minimal clones of one FundingRound implementation, created
/// with CREATE2, so a proposal can name the round's address (`predictRoundAddress`) before it
/// exists — e.g. to grant it DONATION_RECORDER_ROLE on the governance token and
/// ACTIVITY_RECORDER_ROLE on the reputation badges in the same proposal.
///
/// Holders of ORACLE_ROLE here (the ML/KPI verifier keeper) may approve or reject milestones of
/// every round, besides the timelock; the admin (the timelock in production) grants and revokes it.
/// @dev The implementation is deployed by the constructor with the platform wiring baked in as
/// immutables. To change the wiring for future rounds the timelock deploys a new FundingRound
/// naming this factory and calls `setImplementation`; existing rounds keep theirs.
contract FundingRoundFactory is AccessControl {
    bytes32 public constant ORACLE_ROLE = keccak256("ORACLE_ROLE");

    address private immutable _timelock;
    address private _implementation;
    address[] private _rounds;
    mapping(address round => bool) private _isRound;

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

    error FundingRoundFactoryZeroAddress();
    error FundingRoundFactoryOnlyTimelock(address caller);
    error FundingRoundFactorySaltUsed(bytes32 salt, address round);
    error FundingRoundFactoryIndexOutOfRange(uint256 index, uint256 count);
    error FundingRoundFactoryForeignImplementation(address implementation, address factory);

    /// @param admin Grants ORACLE_ROLE; the deploy script hands DEFAULT_ADMIN_ROLE to the timelock.
    /// @param platform The wiring of every round; `platform.dao` is the timelock that creates rounds.
    constructor(address admin, IFundingRound.Platform memory platform) {
        if (admin == address(0) || platform.dao == address(0)) revert FundingRoundFactoryZeroAddress();
        _timelock = platform.dao;
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
        address previous = _implementation;
        _implementation = implementation;
        emit ImplementationSet(previous, implementation);
    }

    // ----- views -----

    /// @notice Where `createRound(salt, ...)` deploys (with the current implementation).
    function predictRoundAddress(bytes32 salt) external view returns (address) {
        return Clones.predictDeterministicAddress(_implementation, salt);
    }

    function roundCount() external view returns (uint256) {
        return _rounds.length;
    }

    function roundAt(uint256 index) external view returns (address) {
        uint256 count = _rounds.length;
        if (index >= count) revert FundingRoundFactoryIndexOutOfRange(index, count);
        return _rounds[index];
    }

    function isRound(address round) external view returns (bool) {
        return _isRound[round];
    }

    function implementation() external view returns (address) {
        return _implementation;
    }

    function timelock() external view returns (address) {
        return _timelock;
    }
}

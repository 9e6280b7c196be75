// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IReputationBadge
/// @notice What other ImpactChain contracts need from `ReputationBadge`.
interface IReputationBadge {
    /// @notice Whether `holder` currently holds a badge of type `typeId`.
    function hasBadge(address holder, uint256 typeId) external view returns (bool);
}

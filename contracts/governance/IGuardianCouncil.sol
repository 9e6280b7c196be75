// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IGuardianCouncil
/// @notice What `DAOCore` asks of the guardian council.
interface IGuardianCouncil {
    /// @notice Whether at least `threshold()` current guardians approved treasury spend `proposalId`.
    function isTreasurySpendApproved(uint256 proposalId) external view returns (bool);

    /// @notice How many current guardians approved treasury spend `proposalId`.
    function treasurySpendApprovals(uint256 proposalId) external view returns (uint256);

    /// @notice Approvals needed (the M of M-of-N).
    function threshold() external view returns (uint256);
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IGuardianCouncil
/// @notice What `DAOCore` asks of the guardian council.
interface IGuardianCouncil {
    /// @notice Whether at least `threshold()` current guardians approved `proposalId` (a
    /// TREASURY_SPEND or ADMIN proposal, which DAOCore does not queue without it).
    function isTreasurySpendApproved(uint256 proposalId) external view returns (bool);

    /// @notice How many current guardians approved `proposalId` (TREASURY_SPEND or ADMIN).
    function treasurySpendApprovals(uint256 proposalId) external view returns (uint256);

    /// @notice Approvals needed (the M of M-of-N).
    function threshold() external view returns (uint256);
}

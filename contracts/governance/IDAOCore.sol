// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IDAOCore
/// @notice What the guardian council (and later the round factory) asks of `DAOCore`.
interface IDAOCore {
    /// @dev Values are part of the ABI (events, `proposeTyped`): append new types, never reorder.
    enum ProposalType {
        HELP_REQUEST,
        FOUNDER_IDEA,
        TREASURY_SPEND,
        ADMIN
    }

    /// @notice The type recorded for `proposalId`; reverts for an unknown proposal.
    function proposalType(uint256 proposalId) external view returns (ProposalType);

    /// @notice Fast-track `proposalId`, a HELP_REQUEST made only of emergency operations, as an
    /// emergency. Guardian council only.
    function fastTrack(uint256 proposalId) external;
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IDAOCore
/// @notice What the guardian council (and later the round factory) asks of `DAOCore`.
interface IDAOCore {
    enum ProposalType {
        HELP_REQUEST,
        FOUNDER_IDEA,
        TREASURY_SPEND
    }

    /// @notice The type recorded for `proposalId`; reverts for an unknown proposal.
    function proposalType(uint256 proposalId) external view returns (ProposalType);

    /// @notice Flag HELP_REQUEST `proposalId` as an emergency. Guardian council only.
    function fastTrack(uint256 proposalId) external;
}

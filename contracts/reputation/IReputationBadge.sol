// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IReputationBadge
/// @notice What other ImpactChain contracts need from `ReputationBadge`.
interface IReputationBadge {
    /// @notice What an account did to earn reputation.
    enum ActivityKind {
        DONATION,
        VOTE,
        VOLUNTEERING
    }

    /// @notice Whether `holder` currently holds a badge of type `typeId`.
    function hasBadge(address holder, uint256 typeId) external view returns (bool);

    /// @notice Whether `holder` held a badge of type `typeId` at the end of block `timepoint`,
    /// which must be in the past.
    function hasBadgeAt(address holder, uint256 typeId, uint256 timepoint) external view returns (bool);

    /// @notice Record `kind` activity by `account`: adds `pointsAdded` and restarts its decay
    /// clock. Platform contracts holding the recorder role only.
    /// @dev `kind` is an ActivityKind passed as its uint8 (the same ABI), so that callers, which
    /// pass a constant, pay no enum range check; the badge checks it (Panic 0x21 if unknown).
    function recordActivity(address account, uint8 kind, uint256 pointsAdded) external;
}

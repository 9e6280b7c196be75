// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IRoundRegistry
/// @notice What `DAOCore` asks of the funding-round factory: whether an address is one of its
/// rounds (allowlist entries for ANY_ROUND cover exactly those).
interface IRoundRegistry {
    /// @notice Whether `round` was created by this factory.
    function isRound(address round) external view returns (bool);
}

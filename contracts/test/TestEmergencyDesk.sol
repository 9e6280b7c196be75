// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title TestEmergencyDesk
/// @notice Test-only stand-in for HelpDesk's emergency flag and request rejection: only the DAO's
/// timelock (an executed HELP_REQUEST proposal) may call them.
contract TestEmergencyDesk {
    address private immutable _timelock;
    mapping(uint256 requestId => bool) private _emergency;
    mapping(uint256 requestId => bool) private _rejected;

    event EmergencyFlagged(uint256 indexed requestId);
    event RequestRejected(uint256 indexed requestId);

    error TestEmergencyDeskOnlyTimelock(address caller);

    constructor(address timelock) {
        _timelock = timelock;
    }

    /// @notice Flag request `requestId` as an emergency. Timelock only.
    function flagEmergency(uint256 requestId) external {
        if (msg.sender != _timelock) revert TestEmergencyDeskOnlyTimelock(msg.sender);
        _emergency[requestId] = true;
        emit EmergencyFlagged(requestId);
    }

    /// @notice Reject request `requestId`. Timelock only.
    function rejectRequest(uint256 requestId) external {
        if (msg.sender != _timelock) revert TestEmergencyDeskOnlyTimelock(msg.sender);
        _rejected[requestId] = true;
        emit RequestRejected(requestId);
    }

    /// @notice Whether request `requestId` was flagged.
    function isEmergency(uint256 requestId) external view returns (bool) {
        return _emergency[requestId];
    }

    /// @notice Whether request `requestId` was rejected.
    function isRejected(uint256 requestId) external view returns (bool) {
        return _rejected[requestId];
    }
}

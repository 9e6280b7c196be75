// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title TestHelpRequestRegistry
/// @notice Test-only stand-in for the help desk's DAO-gated approvals: only the DAO's timelock
/// (i.e. an executed HELP_REQUEST proposal) may approve a withdrawal for a help request.
contract TestHelpRequestRegistry {
    address private immutable _timelock;
    mapping(uint256 requestId => uint256) private _approved;

    event WithdrawalApproved(uint256 indexed requestId, uint256 amount, uint256 approvedTotal);

    error TestHelpRequestRegistryOnlyTimelock(address caller);

    constructor(address timelock) {
        _timelock = timelock;
    }

    function approveWithdrawal(uint256 requestId, uint256 amount) external {
        if (msg.sender != _timelock) revert TestHelpRequestRegistryOnlyTimelock(msg.sender);
        uint256 total = _approved[requestId] + amount;
        _approved[requestId] = total;
        emit WithdrawalApproved(requestId, amount, total);
    }

    function approved(uint256 requestId) external view returns (uint256) {
        return _approved[requestId];
    }
}

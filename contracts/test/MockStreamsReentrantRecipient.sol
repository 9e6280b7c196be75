// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

interface IStreamsWithdraw {
    function withdraw(uint256 streamId) external returns (uint128);
}

/// @title MockStreamsReentrantRecipient
/// @notice Test-only stream recipient that re-enters `Streams.withdraw` when paid in the native
/// token; the inner revert (ReentrancyGuardReentrantCall) bubbles up and fails the withdrawal.
contract MockStreamsReentrantRecipient {
    IStreamsWithdraw private immutable _streams;
    uint256 private _streamId;
    bool private _reenter;

    constructor(IStreamsWithdraw streams) {
        _streams = streams;
    }

    function withdraw(uint256 streamId, bool reenter) external {
        _streamId = streamId;
        _reenter = reenter;
        _streams.withdraw(streamId);
    }

    receive() external payable {
        if (!_reenter) return;
        _reenter = false;
        _streams.withdraw(_streamId);
    }
}

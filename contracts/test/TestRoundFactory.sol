// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title TestRoundFactory
/// @notice Test-only stand-in for the funding-round factory of a later issue: only the DAO's
/// timelock (i.e. an executed FOUNDER_IDEA proposal) may green-light a round.
contract TestRoundFactory {
    address private immutable _timelock;
    mapping(uint256 ideaId => bool) private _greenLit;

    event RoundGreenLit(uint256 indexed ideaId);

    error TestRoundFactoryOnlyTimelock(address caller);

    constructor(address timelock) {
        _timelock = timelock;
    }

    function greenLight(uint256 ideaId) external {
        if (msg.sender != _timelock) revert TestRoundFactoryOnlyTimelock(msg.sender);
        _greenLit[ideaId] = true;
        emit RoundGreenLit(ideaId);
    }

    function isGreenLit(uint256 ideaId) external view returns (bool) {
        return _greenLit[ideaId];
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title MockReentrantRoundParty
/// @notice Test-only founder or donor of a FundingRound that, when paid native MATIC, calls the
/// round again with the armed calldata (e.g. a second `withdraw` or `claimRefund`). The inner
/// revert (ReentrancyGuardReentrantCall) bubbles up and fails the outer payment.
contract MockReentrantRoundParty {
    address private _round;
    bytes private _reentryCall;

    /// @notice Call `target` with `data` (and the attached value) as this contract.
    function execute(address target, bytes calldata data) external payable {
        (bool ok, bytes memory returned) = target.call{value: msg.value}(data);
        if (!ok) _bubble(returned);
    }

    /// @notice On the next native payment, call `round` with `reentryCall`.
    function arm(address round, bytes calldata reentryCall) external {
        _round = round;
        _reentryCall = reentryCall;
    }

    receive() external payable {
        bytes memory reentryCall = _reentryCall;
        if (reentryCall.length == 0) return;
        delete _reentryCall;
        (bool ok, bytes memory returned) = _round.call(reentryCall);
        if (!ok) _bubble(returned);
    }

    function _bubble(bytes memory returned) private pure {
        assembly ("memory-safe") {
            revert(add(returned, 32), mload(returned))
        }
    }
}

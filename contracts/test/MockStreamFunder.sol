// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IStreams} from "../streams/IStreams.sol";

/// @title MockStreamFunder
/// @notice Test-only stand-in for a FundingRound: holds native funds and, on "milestone
/// approval", opens or extends a stream to the founder out of its own balance, as the stream's
/// sender (so refunds of a cancelled stream come back to it).
contract MockStreamFunder {
    IStreams private immutable _streams;

    constructor(IStreams streams) payable {
        _streams = streams;
    }

    function openStream(
        address recipient,
        uint128 amount,
        uint40 startTime,
        uint40 endTime
    ) external returns (uint256 streamId) {
        return _streams.createStream{value: amount}(address(this), recipient, address(0), amount, startTime, 0, endTime);
    }

    function extendStream(uint256 streamId, uint128 extraAmount, uint40 newEndTime) external {
        _streams.extendStream{value: extraAmount}(streamId, extraAmount, newEndTime);
    }

    function withdrawRefund(uint256 streamId) external {
        (bool ok, bytes memory data) = address(_streams).call(abi.encodeWithSignature("withdrawRefund(uint256)", streamId));
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(data, 32), mload(data))
            }
        }
    }

    receive() external payable {}
}

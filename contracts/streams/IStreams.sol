// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IStreams
/// @notice What other platform contracts (FundingRound, AuctionHouse, DAO proposals) need to open
/// and extend linear payment streams. The caller funds the stream; `sender` controls it.
interface IStreams {
    /// @notice Open a stream of `amount` of `token` (address(0) = native) from `sender` to `recipient`,
    /// vesting linearly from `startTime` to `endTime`, nothing withdrawable before `cliffTime`.
    /// The caller pays: attach `amount` as value for native streams, approve `amount` for ERC-20s.
    function createStream(
        address sender,
        address recipient,
        address token,
        uint128 amount,
        uint40 startTime,
        uint40 cliffTime,
        uint40 endTime
    ) external payable returns (uint256 streamId);

    /// @notice Add `extraAmount` to a stream and move its end to `newEndTime`. Stream sender only.
    function extendStream(uint256 streamId, uint128 extraAmount, uint40 newEndTime) external payable;
}

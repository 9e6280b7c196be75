// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

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

/// @title IStreamRecords
/// @notice What a stream's sender (a FundingRound) reads and pulls back from Streams: the stored
/// record and the unvested rest of a cancelled stream.
/// @dev Streams implements it and stores exactly this `Stream`; it stays apart from IStreams so
/// that a payer which only opens streams (AuctionHouse) does not depend on the record's layout.
interface IStreamRecords {
    /// @notice A stream as Streams stores it.
    struct Stream {
        address sender;
        uint40 startTime;
        uint40 endTime;
        bool cancelled;
        bool refunded;
        address recipient;
        uint40 cliffTime;
        uint40 pausedAt;
        bool pausedByAdmin;
        address token;
        uint128 deposit;
        uint128 baseVested;
        uint128 withdrawn;
    }

    /// @notice Stream `streamId` as stored; reverts for an unknown id.
    function getStream(uint256 streamId) external view returns (Stream memory);

    /// @notice What the sender can still pull back: the unvested part once cancelled, else 0.
    function refundableAmountOf(uint256 streamId) external view returns (uint128);

    /// @notice Withdraw the unvested part of a cancelled stream. Stream sender only.
    function withdrawRefund(uint256 streamId) external returns (uint128 amount);
}

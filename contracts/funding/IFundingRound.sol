// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IFundingRound
/// @notice The shapes a FundingRound is created with and the calls its factory, keepers and the
/// DAO make on it.
interface IFundingRound {
    /// @notice Funding: donations open until the deadline. Succeeded/Failed: set by `finalize`
    /// after the deadline (goal reached or not). Settled: set by `settle` once every milestone is
    /// decided or out of time. Cancelled: the DAO stopped the round.
    enum Status {
        Funding,
        Succeeded,
        Failed,
        Settled,
        Cancelled
    }

    enum MilestoneStatus {
        Pending,
        Submitted,
        Approved,
        Rejected
    }

    /// @notice A milestone as fixed at creation. `shareBps` of what was raised in every currency is
    /// released when it is approved; `streamDuration` 0 pays a lump sum the founder withdraws,
    /// otherwise the founder's part streams over that many seconds.
    struct MilestoneParams {
        uint16 shareBps;
        uint64 deadline;
        uint32 streamDuration;
        string requirementsCid;
    }

    /// @notice What a FOUNDER_IDEA proposal passes to `FundingRoundFactory.createRound`.
    /// @dev `goal` is in MATIC-equivalent wei; `tokens` are the ERC-20s accepted besides native MATIC.
    struct RoundParams {
        address founder;
        string metadataCid;
        uint256 goal;
        uint64 deadline;
        address[] tokens;
        MilestoneParams[] milestones;
    }

    /// @notice The platform contracts a round works with, fixed in the implementation.
    /// @dev `governanceToken` mints donors' rewards and prices ERC-20s (`donationRate`); `badges`
    /// records DONATION activity (both through the factory, the reward relay); `streams` carries
    /// streamed milestones; `carbonOffsetter` is the factory's first offsetter (the DAO may change
    /// it there) and a round pays `carbonBps` of every released payout to the current one. Zero
    /// addresses turn rewards, streams or carbon off.
    struct Platform {
        address dao;
        address governanceToken;
        address badges;
        address streams;
        address carbonOffsetter;
        uint16 carbonBps;
    }

    /// @notice Set up a clone; its factory calls it in the transaction that creates the clone.
    function initialize(RoundParams calldata params) external;

    /// @notice Donate the attached native value.
    function donate() external payable;

    /// @notice Donate `amount` of accepted ERC-20 `token` (approve it first).
    function donateToken(address token, uint256 amount) external;

    /// @notice Decide Succeeded or Failed once the deadline has passed.
    function finalize() external returns (Status);

    /// @notice Close a Succeeded round once every milestone is decided or out of time.
    function settle() external returns (Status);

    /// @notice Stop the round for good (the DAO); donors may claim refunds.
    function cancel() external;

    /// @notice The stored status.
    function status() external view returns (Status);

    /// @notice Who receives the round's releases.
    function founder() external view returns (address);
}

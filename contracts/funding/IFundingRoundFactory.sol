// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IFundingRoundFactory
/// @notice What a FundingRound asks of the factory that created it: the DAO-set carbon offsetter
/// and reputation minimums, and the reward relay (the factory holds DONATION_RECORDER_ROLE on the
/// governance token and ACTIVITY_RECORDER_ROLE on the badges, so no round needs a role of its own).
interface IFundingRoundFactory {
    /// @notice Record `amount` of `currency` given by `donor` with the governance token (mints its
    /// MATIC-equivalent). Rounds created by this factory only; reverts as the token does.
    function mintReward(address donor, address currency, uint256 amount) external;

    /// @notice Record `points` of DONATION activity for `donor` with the badges. Rounds created by
    /// this factory only; reverts as the badges do.
    function recordReputation(address donor, uint256 points) external;

    /// @notice Where rounds pay their carbon share (an ICarbonOffsetPayments); zero: no offsetter.
    function carbonOffsetter() external view returns (address);

    /// @notice The rewarded amount of `currency` from which a donor earns reputation points (0: never).
    function reputationMinimum(address currency) external view returns (uint256);
}

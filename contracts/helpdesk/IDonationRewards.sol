// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice What a donation contract calls on GovernanceToken to mint donors' governance tokens.
interface IDonationRecorder {
    function recordDonation(address donor, uint256 amountWei) external;

    function recordTokenDonation(address donor, address currency, uint256 amount) external;
}

/// @notice What a donation contract calls on ReputationBadge to record a donor's activity.
/// @dev `kind` is ReputationBadge.ActivityKind (0 = DONATION), ABI-encoded as uint8.
interface IActivityRecorder {
    function recordActivity(address account, uint8 kind, uint256 pointsAdded) external;
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IGovernanceToken
/// @notice What the platform's donation contracts (HelpDesk, FundingRound) need from
/// `GovernanceToken`: minting donors' governance tokens and the ERC-20 donation rates.
interface IGovernanceToken {
    /// @notice Record a native donation of `amountWei` by `donor`, minting 1 token per MATIC.
    function recordDonation(address donor, uint256 amountWei) external;

    /// @notice Record a donation of `amount` base units of ERC-20 `currency` by `donor`, minting
    /// its MATIC-equivalent at the governance-set rate.
    function recordTokenDonation(address donor, address currency, uint256 amount) external;

    /// @notice Token wei minted per base unit of ERC-20 `currency`, scaled by 1e18 (0: not priced).
    function donationRate(address currency) external view returns (uint256);
}

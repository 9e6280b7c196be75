// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ICarbonOffsetPayments
/// @notice The pay-to-retire entry points of the platform's carbon offsetter: a payment buys
/// credits and retires them at once for `beneficiary`. Implemented by `CarbonPool` (local and
/// test chains) and by `ToucanOffsetAdapter` (real networks, over a Toucan TCO2).
/// @dev `ICarbonOffsetter` carries only Toucan's `retire` calls, which burn credits the caller
/// already holds; a contract paying a share of its proceeds needs these. The returned
/// `retirementEventId` is the id of Toucan's `Retired` event for the retirement. A payment the
/// offsetter cannot cover reverts (payers keep the share owed). Implementations answer ERC-165
/// `supportsInterface(type(ICarbonOffsetPayments).interfaceId)` (0xb8151573) so a
/// deploy script and `AuctionHouse.setCarbonOffset` can tell them from a bare TCO2.
interface ICarbonOffsetPayments {
    /// @notice Buy and retire credits for `beneficiary` with the attached native value.
    function offset(address beneficiary) external payable returns (uint256 retirementEventId, uint256 amount);

    /// @notice Buy and retire credits for `beneficiary` with `payment` of `paymentToken` (approved first).
    function offsetWithToken(
        address paymentToken,
        uint256 payment,
        address beneficiary
    ) external returns (uint256 retirementEventId, uint256 amount);
}

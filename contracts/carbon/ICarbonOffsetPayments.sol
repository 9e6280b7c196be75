// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title ICarbonOffsetPayments
/// @notice The pay-to-retire entry points of the platform's carbon offsetter (`CarbonPool`): a
/// payment buys credits from the pool's inventory and retires them at once for `beneficiary`.
/// @dev `ICarbonOffsetter` carries only Toucan's `retire` calls, which burn credits the caller
/// already holds; a contract paying a share of its proceeds needs these. Signatures are
/// CarbonPool's, byte for byte. The returned `retirementEventId` is the id of Toucan's `Retired`
/// event emitted by the pool.
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

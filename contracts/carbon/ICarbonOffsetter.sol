// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ICarbonOffsetter
/// @notice The retirement calls of a Toucan Protocol TCO2 token (ToucanCarbonOffsets), so the
/// platform can talk to Toucan on Polygon and to the local `CarbonPool` through one interface.
/// Signatures and the `Retired` event are Toucan's, byte for byte (same selectors and topic).
interface ICarbonOffsetter {
    /// @notice `sender` retired `amount` credits (18 decimals, 1e18 = one tonne CO2e) as retirement `eventId`.
    /// @dev Toucan's exact layout: nothing indexed, so indexers written for Toucan decode it unchanged.
    event Retired(address sender, uint256 amount, uint256 eventId);

    /// @notice Retire (burn) `amount` of the caller's credits.
    function retire(uint256 amount) external returns (uint256 retirementEventId);

    /// @notice Retire `amount` of the caller's credits and mint the caller a certificate NFT naming
    /// the retiring entity and the beneficiary.
    function retireAndMintCertificate(
        string calldata retiringEntityString,
        address beneficiary,
        string calldata beneficiaryString,
        string calldata retirementMessage,
        uint256 amount
    ) external;
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IERC5192
/// @notice Minimal soulbound NFTs (https://eips.ethereum.org/EIPS/eip-5192); interface id 0xb45a3c0e.
interface IERC5192 {
    /// @notice Emitted when the locking status is changed to locked.
    event Locked(uint256 tokenId);
    /// @notice Emitted when the locking status is changed to unlocked.
    event Unlocked(uint256 tokenId);

    /// @notice Whether `tokenId` is locked (always true for soulbound badges).
    function locked(uint256 tokenId) external view returns (bool);
}

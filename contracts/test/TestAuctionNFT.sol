// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";

/// @title TestAuctionNFT
/// @notice Test-only ERC-721 for AuctionHouse tests: anyone mints.
contract TestAuctionNFT is ERC721 {
    constructor() ERC721("Test Auction NFT", "TNFT") {}

    function mint(address to, uint256 tokenId) external {
        _mint(to, tokenId);
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC1155} from "@openzeppelin/contracts/token/ERC1155/ERC1155.sol";

/// @title TestAuctionMultiToken
/// @notice Test-only ERC-1155 for AuctionHouse tests: anyone mints.
contract TestAuctionMultiToken is ERC1155 {
    constructor() ERC1155("ipfs://test/{id}.json") {}

    function mint(address to, uint256 id, uint256 amount) external {
        _mint(to, id, amount, "");
    }
}

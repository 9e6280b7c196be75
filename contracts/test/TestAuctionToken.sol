// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title TestAuctionToken
/// @notice Test-only ERC-20 auction currency: anyone mints.
contract TestAuctionToken is ERC20 {
    constructor() ERC20("Test Auction Dollar", "TAD") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {GovernanceToken} from "../governance/GovernanceToken.sol";

/// @title TestGovernanceTokenV2
/// @notice Test-only next version of the token, to prove upgrades keep state.
contract TestGovernanceTokenV2 is GovernanceToken {
    function version() external pure returns (uint256) {
        return 2;
    }
}

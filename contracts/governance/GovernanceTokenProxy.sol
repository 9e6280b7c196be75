// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";

/// @title GovernanceTokenProxy
/// @notice The ERC-1967 proxy in front of the UUPS `GovernanceToken` implementation, declared
/// here so deploy tooling (ape) has a contract type for it.
contract GovernanceTokenProxy is ERC1967Proxy {
    constructor(address implementation, bytes memory initData) ERC1967Proxy(implementation, initData) {}
}

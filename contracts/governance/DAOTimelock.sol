// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title DAOTimelock
/// @notice The DAO's TimelockController: holds the treasury and the token's upgrade, minting
/// and rate-setting roles. Its minimum delay is the emergency (shortest) delay; `DAOCore`
/// enforces the longer ordinary delay, so grant EXECUTOR_ROLE to `DAOCore` only. HELP_REQUEST and
/// FOUNDER_IDEA proposals can never call it (see CallPolicy): only guardian-co-signed ADMIN or
/// TREASURY_SPEND proposals can change its roles or delay.
contract DAOTimelock is TimelockController {
    constructor(uint256 minDelay, address[] memory proposers, address[] memory executors, address admin)
        TimelockController(minDelay, proposers, executors, admin)
    {}
}

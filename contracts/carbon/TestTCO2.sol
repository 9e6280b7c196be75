// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title TestTCO2
/// @notice A TCO2-like carbon credit token for local and test chains: 18 decimals, 1e18 = one
/// tonne CO2e. The pool admin mints inventory; the `CarbonPool` (RETIRER_ROLE) burns credits when
/// they are retired, as Toucan's TCO2 burns its own tokens in `retire`. Never deployed on mainnet.
contract TestTCO2 is ERC20, AccessControl {
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");
    bytes32 public constant RETIRER_ROLE = keccak256("RETIRER_ROLE");

    error TestTCO2ZeroAddress();

    constructor(address admin) ERC20("Test Toucan Carbon Offset", "TCO2") {
        if (admin == address(0)) revert TestTCO2ZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(MINTER_ROLE, admin);
    }

    /// @notice Issue `amount` credits to `to`. Minter only.
    function mint(address to, uint256 amount) external onlyRole(MINTER_ROLE) {
        _mint(to, amount);
    }

    /// @notice Burn `amount` of `account`'s credits as retired. Retirer (the carbon pool) only.
    function burnRetired(address account, uint256 amount) external onlyRole(RETIRER_ROLE) {
        _burn(account, amount);
    }
}

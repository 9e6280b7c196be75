// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";

/// @title Payments
/// @notice How ImpactChain contracts name and pay out a currency: address(0) is the chain's
/// native token (MATIC on Polygon), any other address an ERC-20.
library Payments {
    /// @notice The currency id of the native token.
    address internal constant NATIVE = address(0);

    /// @notice Send `amount` of `currency` to `to`: native value with a full-gas call (reverts if
    /// `to` refuses it), ERC-20s with SafeERC20.
    function pay(address currency, address to, uint256 amount) internal {
        if (currency == NATIVE) {
            Address.sendValue(payable(to), amount);
        } else {
            SafeERC20.safeTransfer(IERC20(currency), to, amount);
        }
    }
}

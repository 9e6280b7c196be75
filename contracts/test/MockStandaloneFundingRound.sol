// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {FundingRound} from "../funding/FundingRound.sol";

/// @title MockStandaloneFundingRound
/// @notice Test-only: a FundingRound deployed in full (not as a clone) and initializable once by
/// `factory`, so the gas benchmark can compare a full deploy with a clone. Never deployed for real.
contract MockStandaloneFundingRound is FundingRound {
    constructor(address factory, Platform memory platform) FundingRound(factory, platform) {
        // Undo the parent's `_disableInitializers` so this full deploy can be initialized like a clone.
        bytes32 slot = _initializableStorageSlot();
        assembly ("memory-safe") {
            sstore(slot, 0)
        }
    }
}

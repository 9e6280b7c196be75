// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

import {ICarbonOffsetter} from "../carbon/ICarbonOffsetter.sol";

/// @title MockFaultyTCO2
/// @notice Test-only Toucan-shaped TCO2 whose `retire` misbehaves on demand, to prove the offset
/// adapter never reports a retirement that did not happen: `Mode.Refuse` reverts (as a paused
/// Toucan TCO2 does), `Mode.BurnHalf` burns half the amount and still returns an event id.
contract MockFaultyTCO2 is ICarbonOffsetter, ERC20 {
    enum Mode {
        Honest,
        Refuse,
        BurnHalf
    }

    Mode private _mode;
    uint256 private _lastEventId;

    error MockFaultyTCO2Refused();

    constructor() ERC20("Faulty TCO2", "FTCO2") {}

    /// @notice Mint `amount` credits to `to` (anyone; test only).
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Choose how `retire` behaves from now on.
    function setMode(Mode mode) external {
        _mode = mode;
    }

    /// @inheritdoc ICarbonOffsetter
    function retire(uint256 amount) external returns (uint256 retirementEventId) {
        if (_mode == Mode.Refuse) revert MockFaultyTCO2Refused();
        uint256 burned = _mode == Mode.BurnHalf ? amount / 2 : amount;
        _burn(msg.sender, burned);
        retirementEventId = ++_lastEventId;
        emit Retired(msg.sender, burned, retirementEventId);
    }

    /// @inheritdoc ICarbonOffsetter
    function retireAndMintCertificate(string calldata, address, string calldata, string calldata, uint256) external {
        revert MockFaultyTCO2Refused();
    }
}

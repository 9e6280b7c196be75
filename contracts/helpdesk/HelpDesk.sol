// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable2Step, Ownable} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";

/// @title HelpDesk
/// @notice Escrow for direct donations in the native token (MATIC on Polygon).
/// @dev The first slice of the help desk: donations go into escrow and are released
/// only by the owner (the DAO's timelock once governance is deployed). Help requests,
/// ERC-20 currencies and DAO-approved withdrawals build on this contract later.
contract HelpDesk is Ownable2Step, ReentrancyGuard {
    /// @notice Total native value ever donated, per donor.
    mapping(address donor => uint256) private _donatedBy;
    uint256 private _totalDonated;
    uint256 private _totalReleased;

    /// @notice A donor sent `amount` wei into escrow; `donorTotal` is their running total.
    event Donated(address indexed donor, uint256 amount, uint256 donorTotal);
    /// @notice The owner released `amount` wei of escrow to `recipient`.
    event Released(address indexed recipient, uint256 amount);

    error HelpDeskZeroDonation();
    error HelpDeskZeroAddress();
    error HelpDeskZeroAmount();
    error HelpDeskInsufficientEscrow(uint256 requested, uint256 available);
    error HelpDeskUseDonate();

    constructor(address initialOwner) Ownable(initialOwner) {}

    /// @notice Donate the attached native value into escrow.
    function donate() external payable {
        if (msg.value == 0) revert HelpDeskZeroDonation();
        uint256 donorTotal = _donatedBy[msg.sender] + msg.value;
        _donatedBy[msg.sender] = donorTotal;
        _totalDonated += msg.value;
        emit Donated(msg.sender, msg.value, donorTotal);
    }

    /// @notice Release `amount` wei of escrow to `recipient`. Owner only.
    function release(address payable recipient, uint256 amount) external onlyOwner nonReentrant {
        if (recipient == address(0)) revert HelpDeskZeroAddress();
        if (amount == 0) revert HelpDeskZeroAmount();
        uint256 available = address(this).balance;
        if (amount > available) revert HelpDeskInsufficientEscrow(amount, available);
        _totalReleased += amount;
        emit Released(recipient, amount);
        Address.sendValue(recipient, amount);
    }

    /// @notice Plain transfers are refused so every donation is recorded through `donate`.
    receive() external payable {
        revert HelpDeskUseDonate();
    }

    function donatedBy(address donor) external view returns (uint256) {
        return _donatedBy[donor];
    }

    function totalDonated() external view returns (uint256) {
        return _totalDonated;
    }

    function totalReleased() external view returns (uint256) {
        return _totalReleased;
    }
}

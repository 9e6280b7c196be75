// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

interface IAuctionHouseBidding {
    function bid(uint256 auctionId) external payable;

    function withdraw(address currency, address payable to) external;
}

/// @title MockMaliciousBidder
/// @notice Test-only bidder contract that griefs whoever pays it: on receiving native value, an
/// ERC-721 or an ERC-1155 it reverts or burns all the gas it is given.
contract MockMaliciousBidder {
    enum Mode {
        Revert,
        BurnGas
    }

    IAuctionHouseBidding private immutable _house;
    Mode private _mode;

    error MockMaliciousBidderRefused();

    constructor(address house, Mode mode) {
        _house = IAuctionHouseBidding(house);
        _mode = mode;
    }

    function bid(uint256 auctionId) external payable {
        _house.bid{value: msg.value}(auctionId);
    }

    function withdraw(address payable to) external {
        _house.withdraw(address(0), to);
    }

    receive() external payable {
        _grief();
    }

    function onERC721Received(address, address, uint256, bytes calldata) external view returns (bytes4) {
        _grief();
        return this.onERC721Received.selector;
    }

    function onERC1155Received(address, address, uint256, uint256, bytes calldata) external view returns (bytes4) {
        _grief();
        return this.onERC1155Received.selector;
    }

    function _grief() private view {
        if (_mode == Mode.Revert) revert MockMaliciousBidderRefused();
        // Burn everything forwarded: an infinite loop runs out of gas.
        while (true) {}
    }
}

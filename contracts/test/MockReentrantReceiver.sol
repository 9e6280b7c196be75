// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC1155Receiver} from "@openzeppelin/contracts/token/ERC1155/IERC1155Receiver.sol";
import {IERC721Receiver} from "@openzeppelin/contracts/token/ERC721/IERC721Receiver.sol";

/// @title MockReentrantReceiver
/// @notice Test-only bidder that, when it receives an NFT (ERC-721/1155 hook) or a native refund,
/// calls back into the AuctionHouse with `reentryCall`. It records whether the re-entry went
/// through and what it returned; with `bubble` set it reverts with the inner error instead.
contract MockReentrantReceiver is IERC721Receiver, IERC1155Receiver {
    address private immutable _house;
    bytes private _reentryCall;
    bool private _bubble;

    /// @notice A re-entry was tried from `hook`; `succeeded` tells whether the inner call went through.
    event ReentryAttempted(string hook, bool succeeded, bytes returnData);

    constructor(address house) {
        _house = house;
    }

    /// @notice Set the call made on every hook (empty = none) and whether a failure reverts the hook.
    function arm(bytes calldata reentryCall, bool bubble) external {
        _reentryCall = reentryCall;
        _bubble = bubble;
    }

    /// @notice Call `target` as this contract (bid, withdraw, claim, approve, list), forwarding any value.
    function execute(address target, bytes calldata data) external payable {
        (bool ok, bytes memory returned) = target.call{value: msg.value}(data);
        if (!ok) _revertWith(returned);
    }

    function onERC721Received(address, address, uint256, bytes calldata) external returns (bytes4) {
        _reenter("onERC721Received");
        return IERC721Receiver.onERC721Received.selector;
    }

    function onERC1155Received(address, address, uint256, uint256, bytes calldata) external returns (bytes4) {
        _reenter("onERC1155Received");
        return IERC1155Receiver.onERC1155Received.selector;
    }

    function onERC1155BatchReceived(
        address,
        address,
        uint256[] calldata,
        uint256[] calldata,
        bytes calldata
    ) external returns (bytes4) {
        _reenter("onERC1155BatchReceived");
        return IERC1155Receiver.onERC1155BatchReceived.selector;
    }

    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == type(IERC1155Receiver).interfaceId || interfaceId == 0x01ffc9a7;
    }

    receive() external payable {
        _reenter("receive");
    }

    function _reenter(string memory hook) private {
        if (_reentryCall.length == 0) return;
        (bool ok, bytes memory returned) = _house.call(_reentryCall);
        emit ReentryAttempted(hook, ok, returned);
        if (!ok && _bubble) _revertWith(returned);
    }

    function _revertWith(bytes memory data) private pure {
        assembly ("memory-safe") {
            revert(add(data, 32), mload(data))
        }
    }
}

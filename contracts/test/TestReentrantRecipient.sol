// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

interface IHelpDeskRequester {
    function openRequest(
        address goalCurrency,
        uint256 goalAmount,
        string calldata category,
        string calldata geohash,
        string calldata evidenceCid,
        bool critical,
        uint64 deadline
    ) external returns (uint256);

    function withdraw(uint256 requestId, address currency, uint256 amount) external;
}

/// @title TestReentrantRecipient
/// @notice Test-only help requester that tries to re-enter `HelpDesk.withdraw` when paid.
contract TestReentrantRecipient {
    IHelpDeskRequester private immutable _helpDesk;
    uint256 private _requestId;
    uint256 private _reentryAmount;

    constructor(address helpDesk) {
        _helpDesk = IHelpDeskRequester(helpDesk);
    }

    /// @notice Open a native-currency help request owned by this contract.
    function openRequest(uint64 deadline) external returns (uint256 requestId) {
        requestId = _helpDesk.openRequest(address(0), 1 ether, "test", "u4pruyd", "bafytest", false, deadline);
        _requestId = requestId;
    }

    /// @notice Withdraw `amount` of native currency; on receipt, try to withdraw `reentryAmount` more.
    function withdraw(uint256 amount, uint256 reentryAmount) external {
        _reentryAmount = reentryAmount;
        _helpDesk.withdraw(_requestId, address(0), amount);
    }

    function requestId() external view returns (uint256) {
        return _requestId;
    }

    receive() external payable {
        uint256 amount = _reentryAmount;
        if (amount == 0) return;
        _reentryAmount = 0;
        // The inner revert (ReentrancyGuardReentrantCall) bubbles up and fails the outer withdraw.
        _helpDesk.withdraw(_requestId, address(0), amount);
    }
}

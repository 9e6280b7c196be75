// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title MockDonationBurst
/// @notice Benchmark fixture: emits HelpDesk's `Donated` event (same signature) in bulk so the indexer's
/// throughput can be measured on many events without sending one transaction per event.
/// Never deployed outside benchmarks.
contract MockDonationBurst {
    event Donated(
        uint256 indexed requestId, address indexed donor, address indexed currency, uint256 amount, uint256 donorTotal
    );

    function emitDonations(uint256 count, uint256 firstAmount) external {
        for (uint256 i = 0; i < count; ++i) {
            // Distinct donors and amounts, so nothing in the indexer can shortcut duplicates.
            address donor = address(uint160(uint256(keccak256(abi.encode(firstAmount, i)))));
            emit Donated(i % 8, donor, address(0), firstAmount + i, firstAmount + i);
        }
    }
}

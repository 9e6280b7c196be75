// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title MockRoundEmitter
/// @notice Benchmark fixture: a stand-in round that emits FundingRound's `Donated` and
/// `MilestoneApproved` events (same signatures) in bulk. Never deployed outside benchmarks.
contract MockRoundEmitter {
    event Donated(
        address indexed donor, address indexed currency, uint256 amount, uint256 maticEquivalent, uint256 donorTotal
    );
    event MilestoneApproved(uint256 indexed milestoneId, address indexed decider, uint16 approvedBps);

    /// @notice `count` events: every tenth a milestone approval (decoded from the ABI by the
    /// indexer), the rest donations (sliced by hand), from distinct donors and amounts.
    function emitEvents(uint256 count, uint256 firstAmount) external {
        for (uint256 i = 0; i < count; ++i) {
            address donor = address(uint160(uint256(keccak256(abi.encode(firstAmount, i)))));
            if (i % 10 == 9) {
                emit MilestoneApproved(i, donor, uint16(i % 10_000));
            } else {
                emit Donated(donor, address(0), firstAmount + i, firstAmount + i, firstAmount + i);
            }
        }
    }
}

/// @title MockRoundBurst
/// @notice Benchmark fixture: a stand-in factory that creates `MockRoundEmitter`s and announces
/// each with FundingRoundFactory's `RoundCreated` event, so the funding-round indexer discovers them.
contract MockRoundBurst {
    event RoundCreated(
        address indexed round,
        address indexed founder,
        bytes32 indexed salt,
        string metadataCid,
        uint256 goal,
        uint64 deadline,
        uint256 milestones,
        uint256 roundIndex,
        address implementation
    );

    address[] public rounds;

    function createRounds(uint256 count) external {
        for (uint256 i = 0; i < count; ++i) {
            address round = address(new MockRoundEmitter());
            uint256 index = rounds.length;
            rounds.push(round);
            emit RoundCreated(
                round, msg.sender, bytes32(index), "bafkreiexample", 1e18, uint64(block.timestamp), 1, index, address(0)
            );
        }
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {AuctionHouse} from "../auctions/AuctionHouse.sol";
import {FundingRound} from "../funding/FundingRound.sol";
import {IFundingRound} from "../funding/IFundingRound.sol";
import {HelpDesk} from "../helpdesk/HelpDesk.sol";
import {TestAuctionNFT} from "./TestAuctionNFT.sol";

/// @title BenchDriver
/// @notice Benchmark fixture (bench/indexer_chain.py): makes many real platform calls per
/// transaction — donations to HelpDesk requests and funding rounds, governance token transfers,
/// auction bids, votes, round lifecycles — so a million-log chain is generated in minutes and
/// every log is a real contract's real event. Never deployed outside benchmarks.
contract BenchDriver {
    address private constant _NATIVE = address(0);
    uint256 private constant _BPS = 10_000;
    uint256 private constant _GIFT = 1 gwei;
    uint16 private constant _INCREMENT_BPS = 1;

    HelpDesk private immutable _helpDesk;
    IERC20 private immutable _token;
    AuctionHouse private immutable _house;
    IGovernor private immutable _dao;

    uint256[] private _requests;
    address[] private _rounds;
    uint256[] private _auctions;
    uint256[] private _proposals;
    mapping(uint256 auctionId => uint256) private _lastBid;

    constructor(HelpDesk helpDesk, IERC20 token, AuctionHouse house, IGovernor dao) payable {
        _helpDesk = helpDesk;
        _token = token;
        _house = house;
        _dao = dao;
    }

    /// @notice Refunds from failed rounds land here.
    receive() external payable {}

    // ----- setup -----

    /// @notice Open `count` help requests (native goal) running until `deadline`.
    function openRequests(uint256 count, uint64 deadline) external {
        for (uint256 i; i < count; ++i) {
            _requests.push(_helpDesk.openRequest(_NATIVE, 1 ether, "food", "u4pruyd", "bafkbench", false, deadline));
        }
    }

    /// @notice Donate `amount` to the general fund (minting this driver governance tokens) and
    /// delegate them to itself, so it can propose and its transfers move votes.
    function fundAndDelegate(uint256 amount) external {
        _helpDesk.donate{value: amount}(0);
        IVotes(address(_token)).delegate(address(this));
    }

    /// @notice Rounds (created by the DAO with this driver as founder) to donate to and run.
    function addRounds(address[] calldata rounds) external {
        for (uint256 i; i < rounds.length; ++i) {
            _rounds.push(rounds[i]);
        }
    }

    /// @notice Open `count` native auctions sold by a fresh seller (a bidder may not be the seller).
    function openAuctions(uint256 count) external {
        BenchAuctionSeller seller = new BenchAuctionSeller(_house, count);
        uint256 first = seller.firstAuction();
        for (uint256 i; i < count; ++i) {
            _auctions.push(first + i);
            _lastBid[first + i] = 0;
        }
    }

    // ----- the bulk of the chain -----

    /// @notice `events` platform calls, mixed: 9 in 20 HelpDesk donations, 6 in 20 round
    /// donations, 3 in 20 token transfers (each also moves votes), 2 in 20 auction bids.
    function burst(uint256 events, uint256 seed) external {
        uint256 requests = _requests.length;
        uint256 rounds = _rounds.length;
        uint256 auctions = _auctions.length;
        for (uint256 i; i < events; ++i) {
            uint256 n = seed + i;
            uint256 kind = n % 20;
            // Spread each kind over all its targets: the cycle picks `kind`, the lap picks the target.
            uint256 lap = n / 20;
            if (kind < 9) {
                _helpDesk.donate{value: _GIFT + (n % 997)}(_requests[(lap * 9 + kind) % requests]);
            } else if (kind < 15) {
                FundingRound(payable(_rounds[(lap * 6 + kind - 9) % rounds])).donate{value: _GIFT + (n % 991)}();
            } else if (kind < 18) {
                _token.transfer(address(uint160(0x10000 + ((lap * 3 + kind - 15) % 4096))), 1 + (n % 1000));
            } else {
                uint256 auctionId = _auctions[(lap * 2 + kind - 18) % auctions];
                uint256 last = _lastBid[auctionId];
                uint256 amount = last == 0 ? _GIFT : last + (last * _INCREMENT_BPS + _BPS - 1) / _BPS;
                _lastBid[auctionId] = amount;
                _house.bid{value: amount}(auctionId);
            }
        }
    }

    // ----- governance -----

    /// @notice One HELP_REQUEST proposal per description, each approving a request's withdrawal.
    function propose(string[] calldata descriptions) external {
        address[] memory targets = new address[](1);
        targets[0] = address(_helpDesk);
        uint256[] memory values = new uint256[](1);
        bytes[] memory calldatas = new bytes[](1);
        for (uint256 i; i < descriptions.length; ++i) {
            calldatas[0] = abi.encodeCall(HelpDesk.approveWithdrawal, (_requests[i % _requests.length], _NATIVE, 1));
            _proposals.push(_dao.propose(targets, values, calldatas, descriptions[i]));
        }
    }

    /// @notice `voters` fresh voters, each voting on every proposal.
    function vote(uint256 voters) external {
        uint256[] memory proposals = _proposals;
        for (uint256 i; i < voters; ++i) {
            new BenchVoter(_dao, proposals, uint8(i % 3));
        }
    }

    // ----- round lifecycle (after the rounds' deadline) -----

    /// @notice Rounds `from`..`to` (exclusive): finalize; a round that succeeded has each milestone's
    /// evidence submitted and approved (releasing it), a failed one refunds this driver.
    function runRounds(uint256 from, uint256 to, uint256 milestones, string calldata evidenceCid) external {
        bytes32 evidenceHash = keccak256(bytes(evidenceCid));
        for (uint256 r = from; r < to; ++r) {
            FundingRound round = FundingRound(payable(_rounds[r]));
            if (round.finalize() == IFundingRound.Status.Failed) {
                try round.claimRefund(_NATIVE) {} catch {} // nothing to refund if nobody donated
                continue;
            }
            for (uint256 m; m < milestones; ++m) {
                round.submitEvidence(m, evidenceCid);
                round.approveMilestone(m, evidenceHash);
            }
        }
    }

    function roundCount() external view returns (uint256) {
        return _rounds.length;
    }

    function proposalCount() external view returns (uint256) {
        return _proposals.length;
    }
}

/// @title BenchVoter
/// @notice Benchmark fixture: casts one vote on each proposal from its constructor.
contract BenchVoter {
    constructor(IGovernor dao, uint256[] memory proposals, uint8 support) {
        for (uint256 i; i < proposals.length; ++i) {
            dao.castVote(proposals[i], support);
        }
    }
}

/// @title BenchAuctionSeller
/// @notice Benchmark fixture: mints NFTs and puts each up for a native auction from its constructor.
contract BenchAuctionSeller {
    uint256 public immutable firstAuction;

    constructor(AuctionHouse house, uint256 count) {
        TestAuctionNFT nft = new TestAuctionNFT();
        nft.setApprovalForAll(address(house), true);
        uint256 first;
        for (uint256 i; i < count; ++i) {
            nft.mint(address(this), i);
            uint256 id = house.createAuction(
                AuctionHouse.AuctionParams({
                    assetContract: address(nft),
                    assetKind: AuctionHouse.AssetKind.ERC721,
                    tokenId: i,
                    assetAmount: 1,
                    assetType: AuctionHouse.AssetType.NFT,
                    metadataCID: "bafkbench",
                    currency: address(0),
                    reservePrice: 1 gwei,
                    minIncrementBps: 1,
                    duration: 30 days,
                    extensionWindow: 0,
                    payoutDuration: 0
                })
            );
            if (i == 0) first = id;
        }
        firstAuction = first;
    }
}

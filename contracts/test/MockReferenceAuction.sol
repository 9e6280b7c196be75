// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";

/// @title MockReferenceAuction
/// @notice Gas baseline for the AuctionHouse benchmark: a plain English auction of escrowed
/// ERC-721s in the native token with a reserve, a bps increment and pull refunds, and nothing
/// else (no extension, pause, reentrancy guard, ERC-20s, carbon offset, revenue share or streams).
/// Its storage is packed as tightly as the AuctionHouse's so the comparison measures features.
contract MockReferenceAuction {
    struct Auction {
        address seller;
        uint40 endTime;
        uint16 minIncrementBps;
        bool settled;
        address highestBidder;
        uint96 highestBid;
        address nft;
        uint96 reservePrice;
        uint256 tokenId;
    }

    mapping(uint256 auctionId => Auction) private _auctions;
    mapping(address bidder => uint256) private _pendingReturns;
    uint256 private _nextAuctionId = 1;

    event AuctionCreated(uint256 indexed auctionId, address indexed seller, address nft, uint256 tokenId);
    event BidPlaced(uint256 indexed auctionId, address indexed bidder, uint256 amount);
    event AuctionSettled(uint256 indexed auctionId, address indexed winner, uint256 amount);

    error MockReferenceAuctionBidTooLow(uint256 bid, uint256 minimum);
    error MockReferenceAuctionEnded();
    error MockReferenceAuctionNotEnded();
    error MockReferenceAuctionNothingToWithdraw();

    function createAuction(
        address nft,
        uint256 tokenId,
        uint96 reservePrice,
        uint16 minIncrementBps,
        uint40 duration
    ) external returns (uint256 auctionId) {
        auctionId = _nextAuctionId++;
        _auctions[auctionId] = Auction({
            seller: msg.sender,
            endTime: uint40(block.timestamp) + duration,
            minIncrementBps: minIncrementBps,
            settled: false,
            highestBidder: address(0),
            highestBid: 0,
            nft: nft,
            reservePrice: reservePrice,
            tokenId: tokenId
        });
        emit AuctionCreated(auctionId, msg.sender, nft, tokenId);
        IERC721(nft).transferFrom(msg.sender, address(this), tokenId);
    }

    function bid(uint256 auctionId) external payable {
        Auction storage auction = _auctions[auctionId];
        if (auction.settled || block.timestamp >= auction.endTime) revert MockReferenceAuctionEnded();
        address previousBidder = auction.highestBidder;
        uint256 previousBid = auction.highestBid;
        uint256 minimum = previousBidder == address(0)
            ? auction.reservePrice
            : previousBid + (previousBid * auction.minIncrementBps + 9_999) / 10_000;
        if (msg.value < minimum) revert MockReferenceAuctionBidTooLow(msg.value, minimum);

        auction.highestBidder = msg.sender;
        auction.highestBid = uint96(msg.value);
        if (previousBidder != address(0)) _pendingReturns[previousBidder] += previousBid;
        emit BidPlaced(auctionId, msg.sender, msg.value);
    }

    /// @notice Asset to the winner (or back to the seller), the price credited to the seller.
    function settle(uint256 auctionId) external {
        Auction storage auction = _auctions[auctionId];
        if (auction.settled) revert MockReferenceAuctionEnded();
        if (block.timestamp < auction.endTime) revert MockReferenceAuctionNotEnded();
        auction.settled = true;
        address winner = auction.highestBidder;
        uint256 price = auction.highestBid;
        if (winner == address(0)) winner = auction.seller;
        else _pendingReturns[auction.seller] += price;
        emit AuctionSettled(auctionId, winner, price);
        IERC721(auction.nft).safeTransferFrom(address(this), winner, auction.tokenId);
    }

    function withdraw() external {
        uint256 amount = _pendingReturns[msg.sender];
        if (amount == 0) revert MockReferenceAuctionNothingToWithdraw();
        _pendingReturns[msg.sender] = 0;
        (bool ok, ) = msg.sender.call{value: amount}("");
        require(ok);
    }
}

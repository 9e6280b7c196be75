// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC1155} from "@openzeppelin/contracts/token/ERC1155/IERC1155.sol";
import {IERC1155Receiver} from "@openzeppelin/contracts/token/ERC1155/IERC1155Receiver.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IERC721Receiver} from "@openzeppelin/contracts/token/ERC721/IERC721Receiver.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";

import {IStreams} from "../streams/IStreams.sol";
import {ICarbonOffsetPayments} from "../carbon/ICarbonOffsetPayments.sol";
import {Payments} from "../utils/Payments.sol";

/// @title AuctionHouse
/// @notice English auctions of ERC-721 and ERC-1155 assets (patents, domains, any NFT) escrowed by
/// the house, priced in the native token or an allowlisted ERC-20.
///
/// Timing: an auction takes bids while `block.timestamp < endTime`. A bid placed at `t` with
/// `endTime - t < extensionWindow` moves the end to `t + extensionWindow` and emits
/// `AuctionExtended`. The boundary second `t == endTime - extensionWindow` is OUTSIDE the window:
/// the bid already leaves exactly `extensionWindow` seconds, so nothing moves and nothing is emitted.
///
/// Refunds are pulled, never pushed: an outbid bidder's amount is credited to
/// `withdrawableOf(bidder, currency)` and taken out with `withdraw`, so a bidder contract that
/// reverts or burns gas on receipt cannot block or overcharge the next bidder. Proceeds for
/// revenue-share recipients and lump-sum sellers are credited the same way.
///
/// Settlement: once ended, anyone (the keeper) calls `settle`. A second call reverts with
/// `AuctionHouseAuctionNotActive(auctionId, Status.Settled)`. With no bids the asset goes back to
/// the seller. Otherwise the price is split: `carbonBps` pays the carbon offsetter (credits retired
/// for the seller; the retirement id and credits retired are in `AuctionSettled`), each revenue-share recipient is
/// credited its bps, and the seller receives the rest as a credit or, if the auction asked for it,
/// as a linear stream of `payoutDuration` seconds opened in `Streams` (controlled by
/// `streamSender`). The split in force at settlement applies; it is changed by the admin (the DAO
/// timelock in production), and carbon plus revenue shares never exceed `MAX_TOTAL_SHARE_BPS`.
///
/// Nothing a counterparty controls can block settlement: if the asset transfer to the winner (or
/// back to the seller) reverts, e.g. in a receiver hook, the house keeps the asset and the
/// entitled party takes it with `claimAsset`; if the offsetter refuses the payment, the carbon
/// share is kept as `carbonOwedOf(currency)` and anyone retries with `offsetOwedCarbon`. A hook
/// that burns its gas makes settling cost more (the keeper needs ~64x the gas the held-asset path
/// uses after the call, well under 1M gas) but cannot stop it.
///
/// Pause (emergency): no new auctions, bids or settlements; cancelling, withdrawing credits and
/// claiming held assets stay open. Time does not stop while paused.
///
/// Bids and reserves are held in 96 bits (up to ~7.9e28 base units, 79 billion tokens at 18
/// decimals) so the leading bid shares a slot with its bidder and an outbid stays cheap. Fee-on-transfer and rebasing ERC-20s are not supported:
/// only allowlist currencies that transfer exactly the amount asked for.
contract AuctionHouse is AccessControl, Pausable, ReentrancyGuardTransient, IERC721Receiver, IERC1155Receiver {
    using SafeERC20 for IERC20;

    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    /// @notice The currency address that stands for the chain's native token.
    address public constant NATIVE = Payments.NATIVE;

    uint256 public constant BPS = 10_000;
    uint256 public constant DEFAULT_DURATION = 72 hours;
    uint256 public constant MIN_DURATION = 1 hours;
    uint256 public constant MAX_DURATION = 30 days;
    uint256 public constant DEFAULT_EXTENSION_WINDOW = 15 minutes;
    uint256 public constant MIN_EXTENSION_WINDOW = 1 minutes;
    uint256 public constant MAX_EXTENSION_WINDOW = 1 hours;
    uint256 public constant MIN_INCREMENT_BPS = 1;
    uint256 public constant MAX_INCREMENT_BPS = 5_000;
    uint256 public constant MAX_PAYOUT_DURATION = 365 days;
    uint256 public constant MAX_TOTAL_SHARE_BPS = 5_000;
    uint256 public constant MAX_REVENUE_RECIPIENTS = 5;

    enum Status {
        None,
        Active,
        Settled,
        Cancelled
    }

    enum AssetKind {
        ERC721,
        ERC1155
    }

    enum AssetType {
        PATENT,
        DOMAIN,
        NFT,
        OTHER
    }

    /// @notice What a seller asks for. `duration` 0 = 72 hours, `extensionWindow` 0 = 15 minutes,
    /// `payoutDuration` 0 = lump sum; `currency` address(0) = native; `assetAmount` is 1 for ERC-721.
    struct AuctionParams {
        address assetContract;
        AssetKind assetKind;
        uint256 tokenId;
        uint256 assetAmount;
        AssetType assetType;
        string metadataCID;
        address currency;
        uint96 reservePrice;
        uint16 minIncrementBps;
        uint32 duration;
        uint24 extensionWindow;
        uint32 payoutDuration;
    }

    /// @dev Slot 0 holds everything a bid checks and slot 1 the leading bid, so an outbid reads
    /// two auction slots (three for ERC-20 auctions) and writes one.
    struct Auction {
        address seller;
        uint40 endTime;
        uint24 extensionWindow;
        uint16 minIncrementBps;
        Status status;
        bool nativeCurrency;
        address highestBidder;
        uint96 highestBid;
        address currency;
        uint96 reservePrice;
        address assetContract;
        AssetKind assetKind;
        AssetType assetType;
        uint32 payoutDuration;
        bool assetHeld;
        uint256 tokenId;
        uint256 assetAmount;
        string metadataCID;
    }

    /// @notice How a settled price was split; carried whole by `AuctionSettled`.
    struct Settlement {
        address currency;
        uint256 price;
        uint256 carbonAmount;
        uint256 carbonRetirementEventId;
        uint256 carbonCreditsRetired;
        uint256 revenueShareAmount;
        uint256 sellerAmount;
        uint256 streamId;
    }

    struct RevenueShare {
        address recipient;
        uint16 bps;
    }

    mapping(uint256 auctionId => Auction) private _auctions;
    uint256 private _nextAuctionId = 1;
    mapping(address account => mapping(address currency => uint256)) private _withdrawable;
    mapping(address currency => bool) private _allowedCurrency;
    mapping(address currency => uint256) private _carbonOwed;

    address private _carbonOffsetter;
    uint16 private _carbonBps;
    uint16 private _revenueShareBps;
    RevenueShare[] private _revenueShares;
    IStreams private _streams;
    address private _streamSender;

    event AuctionCreated(
        uint256 indexed auctionId,
        address indexed seller,
        address indexed assetContract,
        AuctionParams params,
        uint40 startTime,
        uint40 endTime
    );
    /// @notice `bidder` leads with `amount`. The bidder it displaced (the previous `BidPlaced` of
    /// this auction) was credited its bid: kept out of this event, the outbid's gas budget.
    event BidPlaced(uint256 indexed auctionId, address indexed bidder, uint256 amount);
    event AuctionExtended(uint256 indexed auctionId, uint40 previousEndTime, uint40 newEndTime);
    event AuctionCancelled(uint256 indexed auctionId, address indexed by);
    /// @notice Settled: `winner` is address(0) (and the settlement all zeros) when nobody bid.
    event AuctionSettled(
        uint256 indexed auctionId,
        address indexed winner,
        address indexed seller,
        Settlement settlement
    );
    /// @notice `amount` of `currency` from auction `auctionId` is now withdrawable by `account`.
    event ProceedsCredited(uint256 indexed auctionId, address indexed account, address currency, uint256 amount);
    /// @notice The asset could not be delivered to `recipient`; the house holds it for `claimAsset`.
    event AssetHeld(uint256 indexed auctionId, address indexed recipient);
    event AssetClaimed(uint256 indexed auctionId, address indexed claimant, address to);
    event Withdrawn(address indexed account, address indexed currency, address to, uint256 amount);
    /// @notice The offsetter refused the carbon share of auction `auctionId`; it is owed until retried.
    event CarbonOffsetDeferred(uint256 indexed auctionId, address indexed currency, uint256 amount);
    /// @notice Owed carbon shares of `amount` bought and retired `credits` as `retirementEventId`.
    event OwedCarbonOffset(address indexed currency, uint256 amount, uint256 retirementEventId, uint256 credits);
    event CurrencyAllowlistUpdated(address indexed currency, bool allowed);
    event CarbonOffsetUpdated(address indexed offsetter, uint16 bps);
    event RevenueSharesUpdated(address[] recipients, uint16[] bps);
    event StreamsUpdated(address indexed streams, address indexed streamSender);

    error AuctionHouseZeroAddress();
    error AuctionHouseNotAContract(address account);
    error AuctionHouseUnsupportedCurrency(address currency);
    error AuctionHouseZeroReserve();
    error AuctionHouseInvalidDuration(uint256 duration, uint256 minimum, uint256 maximum);
    error AuctionHouseInvalidExtensionWindow(uint256 window, uint256 minimum, uint256 maximum);
    error AuctionHouseInvalidIncrement(uint256 bps, uint256 minimum, uint256 maximum);
    error AuctionHouseInvalidPayoutDuration(uint256 duration, uint256 maximum);
    error AuctionHouseStreamsNotConfigured();
    error AuctionHouseInvalidAssetAmount(AssetKind kind, uint256 amount);
    error AuctionHouseEmptyMetadata();
    error AuctionHouseUnknownAuction(uint256 auctionId);
    error AuctionHouseAuctionNotActive(uint256 auctionId, Status status);
    error AuctionHouseAuctionEnded(uint256 auctionId, uint256 endTime);
    error AuctionHouseAuctionNotEnded(uint256 auctionId, uint256 endTime);
    error AuctionHouseSellerCannotBid(uint256 auctionId, address seller);
    error AuctionHouseWrongCurrency(uint256 auctionId, address currency);
    error AuctionHouseBidTooLow(uint256 bid, uint256 minimum);
    error AuctionHouseBidTooHigh(uint256 bid, uint256 maximum);
    error AuctionHouseAuctionHasBids(uint256 auctionId, uint256 highestBid);
    error AuctionHouseNotSellerOrAdmin(uint256 auctionId, address caller);
    error AuctionHouseNothingToWithdraw(address account, address currency);
    error AuctionHouseAssetNotHeld(uint256 auctionId);
    error AuctionHouseNotEntitled(uint256 auctionId, address caller, address claimant);
    error AuctionHouseSharesTooHigh(uint256 totalBps, uint256 maximum);
    error AuctionHouseLengthMismatch(uint256 recipients, uint256 shares);
    error AuctionHouseTooManyRecipients(uint256 count, uint256 maximum);
    error AuctionHouseZeroShare(address recipient);
    error AuctionHouseNothingOwed(address currency);
    error AuctionHouseCarbonOffsetNotConfigured();
    error AuctionHouseUnsolicitedTransfer(address operator);

    constructor(address admin) {
        if (admin == address(0)) revert AuctionHouseZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(PAUSER_ROLE, admin);
    }

    // ----- selling -----

    /// @notice Escrow the asset and open an auction. ERC-721: approve the house first; ERC-1155:
    /// `setApprovalForAll` first.
    function createAuction(
        AuctionParams calldata params
    ) external nonReentrant whenNotPaused returns (uint256 auctionId) {
        _checkParams(params);
        uint256 duration = params.duration == 0 ? DEFAULT_DURATION : params.duration;
        uint256 window = params.extensionWindow == 0 ? DEFAULT_EXTENSION_WINDOW : params.extensionWindow;
        uint40 endTime = uint40(block.timestamp + duration);

        auctionId = _nextAuctionId++;
        Auction storage auction = _auctions[auctionId];
        auction.seller = msg.sender;
        auction.endTime = endTime;
        auction.extensionWindow = uint24(window);
        auction.minIncrementBps = params.minIncrementBps;
        auction.status = Status.Active;
        auction.nativeCurrency = params.currency == NATIVE;
        auction.currency = params.currency;
        auction.reservePrice = params.reservePrice;
        auction.assetContract = params.assetContract;
        auction.assetKind = params.assetKind;
        auction.assetType = params.assetType;
        auction.payoutDuration = params.payoutDuration;
        auction.tokenId = params.tokenId;
        auction.assetAmount = params.assetAmount;
        auction.metadataCID = params.metadataCID;
        emit AuctionCreated(auctionId, msg.sender, params.assetContract, params, uint40(block.timestamp), endTime);

        if (params.assetKind == AssetKind.ERC721) {
            IERC721(params.assetContract).transferFrom(msg.sender, address(this), params.tokenId);
        } else {
            IERC1155(params.assetContract).safeTransferFrom(
                msg.sender,
                address(this),
                params.tokenId,
                params.assetAmount,
                ""
            );
        }
    }

    /// @notice Close an auction nobody has bid on and return the asset. Seller or admin.
    function cancel(uint256 auctionId) external nonReentrant {
        Auction storage auction = _auctions[auctionId];
        _requireActive(auctionId, auction.status);
        address seller = auction.seller;
        if (msg.sender != seller && !hasRole(DEFAULT_ADMIN_ROLE, msg.sender)) {
            revert AuctionHouseNotSellerOrAdmin(auctionId, msg.sender);
        }
        if (auction.highestBidder != address(0)) revert AuctionHouseAuctionHasBids(auctionId, auction.highestBid);

        auction.status = Status.Cancelled;
        emit AuctionCancelled(auctionId, msg.sender);

        _deliverAsset(auctionId, auction, seller);
    }

    // ----- bidding -----

    /// @notice Bid the attached native value on a native-currency auction.
    function bid(uint256 auctionId) external payable nonReentrant whenNotPaused {
        _placeBid(auctionId, msg.value, true);
    }

    /// @notice Bid `amount` of an ERC-20 auction's currency (approve the house first).
    function bidWithToken(uint256 auctionId, uint256 amount) external nonReentrant whenNotPaused {
        address currency = _placeBid(auctionId, amount, false);
        IERC20(currency).safeTransferFrom(msg.sender, address(this), amount);
    }

    // ----- settling -----

    /// @notice Finalize an ended auction. Anyone (the keeper) may call it, once.
    function settle(uint256 auctionId) external nonReentrant whenNotPaused {
        Auction storage auction = _auctions[auctionId];
        _requireActive(auctionId, auction.status);
        uint256 endTime = auction.endTime;
        if (block.timestamp < endTime) revert AuctionHouseAuctionNotEnded(auctionId, endTime);

        auction.status = Status.Settled;
        address seller = auction.seller;
        address winner = auction.highestBidder;
        if (winner == address(0)) {
            Settlement memory nothing = Settlement({
                currency: auction.currency,
                price: 0,
                carbonAmount: 0,
                carbonRetirementEventId: 0,
                carbonCreditsRetired: 0,
                revenueShareAmount: 0,
                sellerAmount: 0,
                streamId: 0
            });
            emit AuctionSettled(auctionId, address(0), seller, nothing);
            _deliverAsset(auctionId, auction, seller);
            return;
        }

        Settlement memory settlement = _creditShares(auctionId, auction);
        bool streamed = auction.payoutDuration != 0 && address(_streams) != address(0);
        if (!streamed) _credit(auctionId, seller, settlement.currency, settlement.sellerAmount);

        // Interactions: the auction is final and every credit booked; these calls hand out what
        // was computed above and carry back the ids the settlement event reports.
        if (settlement.carbonAmount != 0) {
            (settlement.carbonRetirementEventId, settlement.carbonCreditsRetired) = _offsetCarbon(
                auctionId,
                settlement.currency,
                settlement.carbonAmount,
                seller
            );
        }
        if (streamed) {
            settlement.streamId = _openStream(
                seller,
                settlement.currency,
                settlement.sellerAmount,
                auction.payoutDuration
            );
        }
        emit AuctionSettled(auctionId, winner, seller, settlement);

        _deliverAsset(auctionId, auction, winner);
    }

    /// @notice Take an asset whose delivery failed, to `to`. The winner, or the seller if nobody won.
    function claimAsset(uint256 auctionId, address to) external nonReentrant {
        Auction storage auction = _auctions[auctionId];
        if (!auction.assetHeld) revert AuctionHouseAssetNotHeld(auctionId);
        address claimant = auction.status == Status.Settled && auction.highestBidder != address(0)
            ? auction.highestBidder
            : auction.seller;
        if (msg.sender != claimant) revert AuctionHouseNotEntitled(auctionId, msg.sender, claimant);
        if (to == address(0)) revert AuctionHouseZeroAddress();

        auction.assetHeld = false;
        emit AssetClaimed(auctionId, claimant, to);

        _transferAsset(auction, to);
    }

    /// @notice Retry, with the offsetter now configured, the carbon shares refused earlier. Anyone.
    /// Credits retired this way name the house as beneficiary.
    function offsetOwedCarbon(address currency) external nonReentrant whenNotPaused {
        uint256 amount = _carbonOwed[currency];
        if (amount == 0) revert AuctionHouseNothingOwed(currency);

        ICarbonOffsetPayments offsetter = ICarbonOffsetPayments(_carbonOffsetter);
        if (address(offsetter) == address(0)) revert AuctionHouseCarbonOffsetNotConfigured();

        _carbonOwed[currency] = 0;
        uint256 retirementEventId;
        uint256 credits;
        if (currency == NATIVE) {
            (retirementEventId, credits) = offsetter.offset{value: amount}(address(this));
        } else {
            IERC20(currency).forceApprove(address(offsetter), amount);
            (retirementEventId, credits) = offsetter.offsetWithToken(currency, amount, address(this));
        }
        emit OwedCarbonOffset(currency, amount, retirementEventId, credits);
    }

    // ----- pulling credits -----

    /// @notice Send the caller's whole credit in `currency` (refunds and proceeds) to `to`.
    /// Never paused.
    function withdraw(address currency, address payable to) external nonReentrant {
        if (to == address(0)) revert AuctionHouseZeroAddress();
        uint256 amount = _withdrawable[msg.sender][currency];
        if (amount == 0) revert AuctionHouseNothingToWithdraw(msg.sender, currency);

        _withdrawable[msg.sender][currency] = 0;
        emit Withdrawn(msg.sender, currency, to, amount);

        Payments.pay(currency, to, amount);
    }

    // ----- admin (the DAO timelock in production) -----

    function setCurrencyAllowed(address currency, bool allowed) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (currency == NATIVE) revert AuctionHouseZeroAddress();
        if (currency.code.length == 0) revert AuctionHouseNotAContract(currency);
        _allowedCurrency[currency] = allowed;
        emit CurrencyAllowlistUpdated(currency, allowed);
    }

    /// @notice Pay `bps` of every settled price to `offsetter` (0 bps = no offsetting).
    function setCarbonOffset(address offsetter, uint16 bps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (bps != 0 && offsetter.code.length == 0) revert AuctionHouseNotAContract(offsetter);
        _checkTotalShares(bps, _revenueShareBps);
        _carbonOffsetter = offsetter;
        _carbonBps = bps;
        emit CarbonOffsetUpdated(offsetter, bps);
    }

    /// @notice Replace the revenue-share recipients and their bps of every settled price.
    function setRevenueShares(
        address[] calldata recipients,
        uint16[] calldata bps
    ) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (recipients.length != bps.length) revert AuctionHouseLengthMismatch(recipients.length, bps.length);
        if (recipients.length > MAX_REVENUE_RECIPIENTS) {
            revert AuctionHouseTooManyRecipients(recipients.length, MAX_REVENUE_RECIPIENTS);
        }
        delete _revenueShares;
        uint256 total = 0;
        for (uint256 i = 0; i < recipients.length; ++i) {
            if (recipients[i] == address(0)) revert AuctionHouseZeroAddress();
            if (bps[i] == 0) revert AuctionHouseZeroShare(recipients[i]);
            total += bps[i];
            _revenueShares.push(RevenueShare({recipient: recipients[i], bps: bps[i]}));
        }
        _checkTotalShares(_carbonBps, total);
        // total <= MAX_TOTAL_SHARE_BPS was just checked, so it fits in 16 bits.
        _revenueShareBps = uint16(total);
        emit RevenueSharesUpdated(recipients, bps);
    }

    /// @notice Where stream payouts open and who controls them (address(0) streams = lump sums only).
    function setStreams(IStreams streams, address streamSender) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (address(streams) != address(0)) {
            if (address(streams).code.length == 0) revert AuctionHouseNotAContract(address(streams));
            if (streamSender == address(0)) revert AuctionHouseZeroAddress();
        }
        _streams = streams;
        _streamSender = streamSender;
        emit StreamsUpdated(address(streams), streamSender);
    }

    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    function unpause() external onlyRole(PAUSER_ROLE) {
        _unpause();
    }

    // ----- token receipt: only the house's own escrow pulls are accepted -----

    function onERC721Received(address operator, address, uint256, bytes calldata) external view returns (bytes4) {
        if (operator != address(this)) revert AuctionHouseUnsolicitedTransfer(operator);
        return IERC721Receiver.onERC721Received.selector;
    }

    function onERC1155Received(
        address operator,
        address,
        uint256,
        uint256,
        bytes calldata
    ) external view returns (bytes4) {
        if (operator != address(this)) revert AuctionHouseUnsolicitedTransfer(operator);
        return IERC1155Receiver.onERC1155Received.selector;
    }

    /// @dev The house never pulls batches, so every batch is unsolicited.
    function onERC1155BatchReceived(
        address operator,
        address,
        uint256[] calldata,
        uint256[] calldata,
        bytes calldata
    ) external pure returns (bytes4) {
        revert AuctionHouseUnsolicitedTransfer(operator);
    }

    function supportsInterface(bytes4 interfaceId) public view override(AccessControl, IERC165) returns (bool) {
        return interfaceId == type(IERC1155Receiver).interfaceId || super.supportsInterface(interfaceId);
    }

    // ----- views -----

    function getAuction(uint256 auctionId) external view returns (Auction memory) {
        Auction storage auction = _auctions[auctionId];
        if (auction.status == Status.None) revert AuctionHouseUnknownAuction(auctionId);
        return auction;
    }

    /// @notice The least the next bid must be: the reserve, then the leading bid plus the increment.
    function minimumBid(uint256 auctionId) external view returns (uint256) {
        Auction storage auction = _auctions[auctionId];
        if (auction.status == Status.None) revert AuctionHouseUnknownAuction(auctionId);
        if (auction.highestBidder == address(0)) return auction.reservePrice;
        return _nextMinimum(auction.highestBid, auction.minIncrementBps);
    }

    function withdrawableOf(address account, address currency) external view returns (uint256) {
        return _withdrawable[account][currency];
    }

    function carbonOwedOf(address currency) external view returns (uint256) {
        return _carbonOwed[currency];
    }

    function isCurrencyAllowed(address currency) external view returns (bool) {
        return currency == NATIVE || _allowedCurrency[currency];
    }

    function carbonOffset() external view returns (address offsetter, uint16 bps) {
        return (_carbonOffsetter, _carbonBps);
    }

    function revenueShares() external view returns (RevenueShare[] memory) {
        return _revenueShares;
    }

    function streamsConfig() external view returns (IStreams streams, address streamSender) {
        return (_streams, _streamSender);
    }

    function nextAuctionId() external view returns (uint256) {
        return _nextAuctionId;
    }

    // ----- internals -----

    function _checkParams(AuctionParams calldata params) private view {
        if (params.assetContract.code.length == 0) revert AuctionHouseNotAContract(params.assetContract);
        if (params.assetKind == AssetKind.ERC721 ? params.assetAmount != 1 : params.assetAmount == 0) {
            revert AuctionHouseInvalidAssetAmount(params.assetKind, params.assetAmount);
        }
        if (bytes(params.metadataCID).length == 0) revert AuctionHouseEmptyMetadata();
        if (params.currency != NATIVE && !_allowedCurrency[params.currency]) {
            revert AuctionHouseUnsupportedCurrency(params.currency);
        }
        if (params.reservePrice == 0) revert AuctionHouseZeroReserve();
        if (params.minIncrementBps < MIN_INCREMENT_BPS || params.minIncrementBps > MAX_INCREMENT_BPS) {
            revert AuctionHouseInvalidIncrement(params.minIncrementBps, MIN_INCREMENT_BPS, MAX_INCREMENT_BPS);
        }
        if (params.duration != 0 && (params.duration < MIN_DURATION || params.duration > MAX_DURATION)) {
            revert AuctionHouseInvalidDuration(params.duration, MIN_DURATION, MAX_DURATION);
        }
        uint256 window = params.extensionWindow;
        if (window != 0 && (window < MIN_EXTENSION_WINDOW || window > MAX_EXTENSION_WINDOW)) {
            revert AuctionHouseInvalidExtensionWindow(window, MIN_EXTENSION_WINDOW, MAX_EXTENSION_WINDOW);
        }
        if (params.payoutDuration > MAX_PAYOUT_DURATION) {
            revert AuctionHouseInvalidPayoutDuration(params.payoutDuration, MAX_PAYOUT_DURATION);
        }
        if (params.payoutDuration != 0 && address(_streams) == address(0)) revert AuctionHouseStreamsNotConfigured();
    }

    function _placeBid(uint256 auctionId, uint256 amount, bool native) private returns (address currency) {
        Auction storage auction = _auctions[auctionId];
        _requireActive(auctionId, auction.status);
        uint256 endTime = auction.endTime;
        if (block.timestamp >= endTime) revert AuctionHouseAuctionEnded(auctionId, endTime);
        if (msg.sender == auction.seller) revert AuctionHouseSellerCannotBid(auctionId, msg.sender);
        if (auction.nativeCurrency != native) revert AuctionHouseWrongCurrency(auctionId, auction.currency);
        if (!native) currency = auction.currency;

        address previousBidder = auction.highestBidder;
        uint256 previousBid = auction.highestBid;
        uint256 minimum = previousBidder == address(0)
            ? auction.reservePrice
            : _nextMinimum(previousBid, auction.minIncrementBps);
        if (amount < minimum) revert AuctionHouseBidTooLow(amount, minimum);
        if (amount > type(uint96).max) revert AuctionHouseBidTooHigh(amount, type(uint96).max);

        auction.highestBidder = msg.sender;
        auction.highestBid = uint96(amount);
        if (previousBidder != address(0)) _withdrawable[previousBidder][currency] += previousBid;
        emit BidPlaced(auctionId, msg.sender, amount);

        uint256 window = auction.extensionWindow;
        // endTime > block.timestamp was checked above, so the difference cannot underflow.
        unchecked {
            if (endTime - block.timestamp < window) {
                // block.timestamp + a 24-bit window stays far below 2**40 for millennia.
                uint40 newEndTime = uint40(block.timestamp + window);
                auction.endTime = newEndTime;
                emit AuctionExtended(auctionId, uint40(endTime), newEndTime);
            }
        }
    }

    function _creditShares(
        uint256 auctionId,
        Auction storage auction
    ) private returns (Settlement memory settlement) {
        uint256 price = auction.highestBid;
        address currency = auction.currency;
        settlement.currency = currency;
        settlement.price = price;
        // price < 2**96 and bps <= 10_000: no product here can overflow 256 bits.
        settlement.carbonAmount = _carbonOffsetter == address(0) ? 0 : (price * _carbonBps) / BPS;
        uint256 shared = 0;
        uint256 count = _revenueShares.length;
        for (uint256 i = 0; i < count; ++i) {
            RevenueShare memory share = _revenueShares[i];
            uint256 amount = (price * share.bps) / BPS;
            shared += amount;
            _credit(auctionId, share.recipient, currency, amount);
        }
        settlement.revenueShareAmount = shared;
        // Carbon plus revenue shares are at most MAX_TOTAL_SHARE_BPS (< 100%) of price, each rounded down.
        unchecked {
            settlement.sellerAmount = price - settlement.carbonAmount - shared;
        }
    }

    function _credit(uint256 auctionId, address account, address currency, uint256 amount) private {
        if (amount == 0) return;
        _withdrawable[account][currency] += amount;
        emit ProceedsCredited(auctionId, account, currency, amount);
    }

    /// @dev A refused payment is kept as owed rather than blocking the settlement.
    function _offsetCarbon(
        uint256 auctionId,
        address currency,
        uint256 amount,
        address beneficiary
    ) private returns (uint256 retirementEventId, uint256 credits) {
        ICarbonOffsetPayments offsetter = ICarbonOffsetPayments(_carbonOffsetter);
        if (currency == NATIVE) {
            try offsetter.offset{value: amount}(beneficiary) returns (uint256 id, uint256 retired) {
                return (id, retired);
            } catch {}
        } else {
            IERC20(currency).forceApprove(address(offsetter), amount);
            try offsetter.offsetWithToken(currency, amount, beneficiary) returns (uint256 id, uint256 retired) {
                return (id, retired);
            } catch {
                IERC20(currency).forceApprove(address(offsetter), 0);
            }
        }
        _carbonOwed[currency] += amount;
        emit CarbonOffsetDeferred(auctionId, currency, amount);
        return (0, 0);
    }

    function _openStream(
        address seller,
        address currency,
        uint256 amount,
        uint256 duration
    ) private returns (uint256 streamId) {
        IStreams streams = _streams;
        // amount <= price < 2**96 fits in uint128; block.timestamp + a 32-bit duration fits in uint40.
        uint40 startTime = uint40(block.timestamp);
        uint40 endTime = uint40(block.timestamp + duration);
        if (currency == NATIVE) {
            return
                streams.createStream{value: amount}(
                    _streamSender,
                    seller,
                    currency,
                    uint128(amount),
                    startTime,
                    0,
                    endTime
                );
        }
        IERC20(currency).forceApprove(address(streams), amount);
        return streams.createStream(_streamSender, seller, currency, uint128(amount), startTime, 0, endTime);
    }

    /// @dev Delivery runs last; a reverting recipient leaves the asset held for `claimAsset`.
    function _deliverAsset(uint256 auctionId, Auction storage auction, address to) private {
        address asset = auction.assetContract;
        if (auction.assetKind == AssetKind.ERC721) {
            try IERC721(asset).safeTransferFrom(address(this), to, auction.tokenId) {
                return;
            } catch {}
        } else {
            try IERC1155(asset).safeTransferFrom(address(this), to, auction.tokenId, auction.assetAmount, "") {
                return;
            } catch {}
        }
        auction.assetHeld = true;
        emit AssetHeld(auctionId, to);
    }

    function _transferAsset(Auction storage auction, address to) private {
        if (auction.assetKind == AssetKind.ERC721) {
            IERC721(auction.assetContract).safeTransferFrom(address(this), to, auction.tokenId);
        } else {
            IERC1155(auction.assetContract).safeTransferFrom(
                address(this),
                to,
                auction.tokenId,
                auction.assetAmount,
                ""
            );
        }
    }

    function _requireActive(uint256 auctionId, Status status) private pure {
        if (status == Status.Active) return;
        if (status == Status.None) revert AuctionHouseUnknownAuction(auctionId);
        revert AuctionHouseAuctionNotActive(auctionId, status);
    }

    function _checkTotalShares(uint256 carbonBps, uint256 revenueBps) private pure {
        uint256 total = carbonBps + revenueBps;
        if (total > MAX_TOTAL_SHARE_BPS) revert AuctionHouseSharesTooHigh(total, MAX_TOTAL_SHARE_BPS);
    }

    /// @dev Rounds the increment up so every outbid raises the price by at least one unit.
    function _nextMinimum(uint256 highestBid, uint256 incrementBps) private pure returns (uint256) {
        // highestBid < 2**96 and incrementBps < 2**16: the sum and product stay far below 2**256.
        unchecked {
            return highestBid + (highestBid * incrementBps + BPS - 1) / BPS;
        }
    }
}

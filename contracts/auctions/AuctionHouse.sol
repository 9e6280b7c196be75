// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC1155} from "@openzeppelin/contracts/token/ERC1155/IERC1155.sol";
import {IERC1155Receiver} from "@openzeppelin/contracts/token/ERC1155/IERC1155Receiver.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IERC721Receiver} from "@openzeppelin/contracts/token/ERC721/IERC721Receiver.sol";
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
/// as a linear stream of `payoutDuration` seconds opened in `Streams` whose sender and recipient
/// are the seller: the seller controls it, and its unvested rest, if the seller cancels it, is
/// refunded to the seller (never to the treasury; the stream is out of the stream admins' reach
/// unless the seller opts in there).
///
/// Payout terms: the carbon offsetter and bps and the revenue shares are recorded per auction at
/// `createAuction` (as the id of an immutable snapshot, `PayoutTermsRecorded`) and used at its
/// settlement, so the admin (the DAO timelock in production) changing them touches only auctions
/// created afterwards. Carbon plus revenue shares never exceed `MAX_TOTAL_SHARE_BPS`. A carbon
/// share the recorded offsetter refuses is owed and retried with the offsetter configured then.
///
/// Nothing a counterparty controls can block settlement: if the asset transfer to the winner (or
/// back to the seller) reverts, e.g. in a receiver hook, the house keeps the asset and the
/// entitled party takes it with `claimAsset`; if the offsetter refuses the payment, the carbon
/// share is kept as `carbonOwedOf(currency)` and anyone retries with `offsetOwedCarbon`. A hook
/// that burns its gas makes settling cost more (the keeper needs ~64x the gas the held-asset path
/// uses after the call, well under 1M gas) but cannot stop it.
///
/// Pause (emergency): no new auctions, bids or settlements; cancelling, withdrawing credits and
/// claiming held assets stay open. The auction clock stops while paused: the house keeps its own
/// time, `block.timestamp` minus every second spent paused, and auctions end on it, so an auction
/// running when the house is paused for D seconds ends D seconds later (an auction that had
/// already ended stays ended). Nothing is rewritten on unpause; `AuctionsDelayed` reports the shift
/// and `getAuction` reports end times in wall-clock seconds (while paused, as if unpaused now).
///
/// Admin hand-over: DEFAULT_ADMIN_ROLE is the DAO timelock after the deploy's hand-over (granted
/// to the timelock first, then renounced by the deployer), later changes are timelock proposals,
/// so there is no separate two-step transfer.
///
/// Bids and reserves are held in 96 bits (up to ~7.9e28 base units, 79 billion tokens at 18
/// decimals) so the leading bid shares a slot with its bidder and an outbid stays cheap. Fee-on-transfer and rebasing ERC-20s are not supported:
/// only allowlist currencies that transfer exactly the amount asked for.
contract AuctionHouse is AccessControl, ReentrancyGuardTransient, IERC721Receiver, IERC1155Receiver {
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
    /// two auction slots (three for ERC-20 auctions) and writes one. `endTime` is on the house
    /// clock (see the pause rule); `termsId` names the payout terms recorded at creation.
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
        uint32 termsId;
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

    /// @notice The split an auction settles with, recorded when it is created.
    struct PayoutTerms {
        address carbonOffsetter;
        uint16 carbonBps;
        uint16 revenueShareBps;
        RevenueShare[] revenueShares;
    }

    /// @dev One slot, read by every bid in place of a plain paused flag.
    struct Clock {
        bool paused;
        uint40 pausedAt;
        uint40 pausedTotal;
    }

    mapping(uint256 auctionId => Auction) private _auctions;
    uint256 private _nextAuctionId = 1;
    mapping(address account => mapping(address currency => uint256)) private _withdrawable;
    mapping(address currency => bool) private _allowedCurrency;
    mapping(address currency => uint256) private _carbonOwed;

    mapping(uint32 termsId => PayoutTerms) private _terms;
    uint32 private _currentTermsId;
    IStreams private _streams;
    Clock private _clock;

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
    /// @notice The admin allowed (or stopped allowing) `currency` for new auctions.
    event CurrencyAllowlistUpdated(address indexed currency, bool allowed);
    /// @notice The admin set the carbon offsetter and its bps for new auctions.
    event CarbonOffsetUpdated(address indexed offsetter, uint16 bps);
    /// @notice The admin replaced the revenue-share recipients and their bps for new auctions.
    event RevenueSharesUpdated(address[] recipients, uint16[] bps);
    /// @notice Auctions created from now on settle with payout terms `termsId` (see `payoutTerms`).
    event PayoutTermsRecorded(
        uint32 indexed termsId,
        address carbonOffsetter,
        uint16 carbonBps,
        uint16 revenueShareBps
    );
    /// @notice Payout streams open in `streams` (address(0) = lump sums only).
    event StreamsUpdated(address indexed streams);
    /// @notice The house was paused by `account`: bids, new auctions and settlements stop, and so does the auction clock.
    event Paused(address account);
    /// @notice The house was unpaused by `account`.
    event Unpaused(address account);
    /// @notice The pause just lifted lasted `pausedFor` seconds: every running auction ends that much
    /// later; `totalPaused` is the house clock's whole lag behind wall-clock time.
    event AuctionsDelayed(uint256 pausedFor, uint256 totalPaused);

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
    error AuctionHouseNotAnOffsetter(address offsetter);
    error AuctionHouseUnknownTerms(uint32 termsId);
    /// @dev OpenZeppelin Pausable's errors, kept by name so clients decode pauses as before.
    error EnforcedPause();
    error ExpectedPause();

    constructor(address admin) {
        if (admin == address(0)) revert AuctionHouseZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(PAUSER_ROLE, admin);
    }

    // ----- selling -----

    /// @notice Escrow the asset and open an auction. ERC-721: approve the house first; ERC-1155:
    /// `setApprovalForAll` first.
    function createAuction(AuctionParams calldata params) external nonReentrant returns (uint256 auctionId) {
        uint256 pausedTotal = _requireNotPaused();
        _checkParams(params);
        uint256 duration = params.duration == 0 ? DEFAULT_DURATION : params.duration;
        uint256 window = params.extensionWindow == 0 ? DEFAULT_EXTENSION_WINDOW : params.extensionWindow;
        // On the house clock, which lags wall-clock time by the seconds spent paused.
        uint40 endTime = uint40(block.timestamp - pausedTotal + duration);

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
        auction.termsId = _currentTermsId;
        auction.tokenId = params.tokenId;
        auction.assetAmount = params.assetAmount;
        auction.metadataCID = params.metadataCID;
        emit AuctionCreated(
            auctionId,
            msg.sender,
            params.assetContract,
            params,
            uint40(block.timestamp),
            uint40(block.timestamp + duration)
        );

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
    function bid(uint256 auctionId) external payable nonReentrant {
        _placeBid(auctionId, msg.value, true);
    }

    /// @notice Bid `amount` of an ERC-20 auction's currency (approve the house first).
    function bidWithToken(uint256 auctionId, uint256 amount) external nonReentrant {
        address currency = _placeBid(auctionId, amount, false);
        IERC20(currency).safeTransferFrom(msg.sender, address(this), amount);
    }

    // ----- settling -----

    /// @notice Finalize an ended auction. Anyone (the keeper) may call it, once.
    function settle(uint256 auctionId) external nonReentrant {
        uint256 pausedTotal = _requireNotPaused();
        Auction storage auction = _auctions[auctionId];
        _requireActive(auctionId, auction.status);
        uint256 endTime = auction.endTime;
        if (block.timestamp - pausedTotal < endTime) {
            revert AuctionHouseAuctionNotEnded(auctionId, endTime + pausedTotal);
        }

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

        PayoutTerms storage terms = _terms[auction.termsId];
        Settlement memory settlement = _creditShares(auctionId, auction, terms);
        bool streamed = auction.payoutDuration != 0 && address(_streams) != address(0);
        if (!streamed) _credit(auctionId, seller, settlement.currency, settlement.sellerAmount);

        // Interactions: the auction is final and every credit booked; these calls hand out what
        // was computed above and carry back the ids the settlement event reports.
        if (settlement.carbonAmount != 0) {
            (settlement.carbonRetirementEventId, settlement.carbonCreditsRetired) = _offsetCarbon(
                auctionId,
                terms.carbonOffsetter,
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
    function offsetOwedCarbon(address currency) external nonReentrant {
        _requireNotPaused();
        uint256 amount = _carbonOwed[currency];
        if (amount == 0) revert AuctionHouseNothingOwed(currency);

        ICarbonOffsetPayments offsetter = ICarbonOffsetPayments(_terms[_currentTermsId].carbonOffsetter);
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

    /// @notice Allow (or stop allowing) ERC-20 `currency` for new auctions; running ones keep theirs.
    function setCurrencyAllowed(address currency, bool allowed) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (currency == NATIVE) revert AuctionHouseZeroAddress();
        if (currency.code.length == 0) revert AuctionHouseNotAContract(currency);
        _allowedCurrency[currency] = allowed;
        emit CurrencyAllowlistUpdated(currency, allowed);
    }

    /// @notice Pay `bps` of the settled price of auctions created from now on to `offsetter` (0 bps
    /// = no offsetting). The offsetter must answer ERC-165 for `ICarbonOffsetPayments`.
    function setCarbonOffset(address offsetter, uint16 bps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (bps != 0) _checkOffsetter(offsetter);
        PayoutTerms storage current = _terms[_currentTermsId];
        _checkTotalShares(bps, current.revenueShareBps);
        PayoutTerms storage next = _nextTerms();
        next.carbonOffsetter = offsetter;
        next.carbonBps = bps;
        next.revenueShareBps = current.revenueShareBps;
        uint256 count = current.revenueShares.length;
        for (uint256 i = 0; i < count; ++i) next.revenueShares.push(current.revenueShares[i]);
        emit CarbonOffsetUpdated(offsetter, bps);
        _emitTermsRecorded(next);
    }

    /// @notice Replace the revenue-share recipients and their bps for auctions created from now on.
    function setRevenueShares(
        address[] calldata recipients,
        uint16[] calldata bps
    ) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (recipients.length != bps.length) revert AuctionHouseLengthMismatch(recipients.length, bps.length);
        if (recipients.length > MAX_REVENUE_RECIPIENTS) {
            revert AuctionHouseTooManyRecipients(recipients.length, MAX_REVENUE_RECIPIENTS);
        }
        PayoutTerms storage current = _terms[_currentTermsId];
        PayoutTerms storage next = _nextTerms();
        uint256 total = 0;
        for (uint256 i = 0; i < recipients.length; ++i) {
            if (recipients[i] == address(0)) revert AuctionHouseZeroAddress();
            if (bps[i] == 0) revert AuctionHouseZeroShare(recipients[i]);
            total += bps[i];
            next.revenueShares.push(RevenueShare({recipient: recipients[i], bps: bps[i]}));
        }
        _checkTotalShares(current.carbonBps, total);
        next.carbonOffsetter = current.carbonOffsetter;
        next.carbonBps = current.carbonBps;
        // total <= MAX_TOTAL_SHARE_BPS was just checked, so it fits in 16 bits.
        next.revenueShareBps = uint16(total);
        emit RevenueSharesUpdated(recipients, bps);
        _emitTermsRecorded(next);
    }

    /// @notice Where stream payouts open (address(0) = lump sums only). The seller is each
    /// stream's sender and recipient.
    function setStreams(IStreams streams) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (address(streams) != address(0) && address(streams).code.length == 0) {
            revert AuctionHouseNotAContract(address(streams));
        }
        _streams = streams;
        emit StreamsUpdated(address(streams));
    }

    /// @notice Emergency stop: no new auctions, bids or settlements, and the auction clock stops.
    function pause() external onlyRole(PAUSER_ROLE) {
        Clock storage clock = _clock;
        if (clock.paused) revert EnforcedPause();
        clock.paused = true;
        clock.pausedAt = uint40(block.timestamp);
        emit Paused(msg.sender);
    }

    /// @notice Lift the pause; every running auction ends as many seconds later as the pause lasted.
    function unpause() external onlyRole(PAUSER_ROLE) {
        Clock storage clock = _clock;
        if (!clock.paused) revert ExpectedPause();
        // pausedAt <= block.timestamp, and the total of paused seconds stays far below 2**40.
        uint40 pausedFor = uint40(block.timestamp) - clock.pausedAt;
        uint40 totalPaused = clock.pausedTotal + pausedFor;
        clock.paused = false;
        clock.pausedAt = 0;
        clock.pausedTotal = totalPaused;
        emit Unpaused(msg.sender);
        emit AuctionsDelayed(pausedFor, totalPaused);
    }

    // ----- token receipt: only the house's own escrow pulls are accepted -----

    /// @notice ERC-721 receipt hook: accepts only the house's own escrow pulls.
    function onERC721Received(address operator, address, uint256, bytes calldata) external view returns (bytes4) {
        if (operator != address(this)) revert AuctionHouseUnsolicitedTransfer(operator);
        return IERC721Receiver.onERC721Received.selector;
    }

    /// @notice ERC-1155 receipt hook: accepts only the house's own escrow pulls.
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

    /// @notice ERC-1155 batch receipt hook: always refuses.
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

    /// @notice ERC-165: AccessControl, ERC-1155 receiver.
    function supportsInterface(bytes4 interfaceId) public view override(AccessControl, IERC165) returns (bool) {
        return interfaceId == type(IERC1155Receiver).interfaceId || super.supportsInterface(interfaceId);
    }

    // ----- views -----

    /// @notice The auction's record, its `endTime` in wall-clock seconds (house clock plus the
    /// seconds spent paused; while paused, as if the house were unpaused now).
    function getAuction(uint256 auctionId) external view returns (Auction memory auction) {
        auction = _auctions[auctionId];
        if (auction.status == Status.None) revert AuctionHouseUnknownAuction(auctionId);
        auction.endTime = uint40(_wallTime(auction.endTime));
    }

    /// @notice The payout terms auction `auctionId` settles with (recorded at its creation).
    function auctionPayoutTerms(uint256 auctionId) external view returns (PayoutTerms memory) {
        Auction storage auction = _auctions[auctionId];
        if (auction.status == Status.None) revert AuctionHouseUnknownAuction(auctionId);
        return _terms[auction.termsId];
    }

    /// @notice Payout terms snapshot `termsId` (0 = none: no carbon, no shares).
    function payoutTerms(uint32 termsId) external view returns (PayoutTerms memory) {
        if (termsId > _currentTermsId) revert AuctionHouseUnknownTerms(termsId);
        return _terms[termsId];
    }

    /// @notice The id of the payout terms new auctions record.
    function currentTermsId() external view returns (uint32) {
        return _currentTermsId;
    }

    /// @notice Whether the house is paused.
    function paused() external view returns (bool) {
        return _clock.paused;
    }

    /// @notice Seconds the house has spent paused in all (the running pause included).
    function totalPausedTime() external view returns (uint256) {
        Clock memory clock = _clock;
        return clock.paused ? clock.pausedTotal + block.timestamp - clock.pausedAt : clock.pausedTotal;
    }

    /// @notice The least the next bid must be: the reserve, then the leading bid plus the increment.
    function minimumBid(uint256 auctionId) external view returns (uint256) {
        Auction storage auction = _auctions[auctionId];
        if (auction.status == Status.None) revert AuctionHouseUnknownAuction(auctionId);
        if (auction.highestBidder == address(0)) return auction.reservePrice;
        return _nextMinimum(auction.highestBid, auction.minIncrementBps);
    }

    /// @notice What `account` can withdraw in `currency` (refunds and proceeds).
    function withdrawableOf(address account, address currency) external view returns (uint256) {
        return _withdrawable[account][currency];
    }

    /// @notice Carbon shares in `currency` the offsetter refused, owed until `offsetOwedCarbon`.
    function carbonOwedOf(address currency) external view returns (uint256) {
        return _carbonOwed[currency];
    }

    /// @notice Whether new auctions may be priced in `currency` (native always).
    function isCurrencyAllowed(address currency) external view returns (bool) {
        return currency == NATIVE || _allowedCurrency[currency];
    }

    /// @notice The carbon offsetter and bps new auctions record.
    function carbonOffset() external view returns (address offsetter, uint16 bps) {
        PayoutTerms storage terms = _terms[_currentTermsId];
        return (terms.carbonOffsetter, terms.carbonBps);
    }

    /// @notice The revenue shares new auctions record.
    function revenueShares() external view returns (RevenueShare[] memory) {
        return _terms[_currentTermsId].revenueShares;
    }

    /// @notice Where stream payouts open (address(0) = lump sums only).
    function streams() external view returns (IStreams) {
        return _streams;
    }

    /// @notice The id the next auction will get.
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
        uint256 pausedTotal = _requireNotPaused();
        Auction storage auction = _auctions[auctionId];
        _requireActive(auctionId, auction.status);
        uint256 endTime = auction.endTime;
        // The house clock: wall-clock time less the seconds spent paused (<= block.timestamp).
        uint256 houseNow = block.timestamp - pausedTotal;
        if (houseNow >= endTime) revert AuctionHouseAuctionEnded(auctionId, endTime + pausedTotal);
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
        // endTime > houseNow was checked above, so the difference cannot underflow; houseNow and
        // pausedTotal are below block.timestamp, so every sum stays far below 2**40 for millennia.
        unchecked {
            if (endTime - houseNow < window) {
                uint40 newEndTime = uint40(houseNow + window);
                auction.endTime = newEndTime;
                emit AuctionExtended(auctionId, uint40(endTime + pausedTotal), uint40(newEndTime + pausedTotal));
            }
        }
    }

    function _creditShares(
        uint256 auctionId,
        Auction storage auction,
        PayoutTerms storage terms
    ) private returns (Settlement memory settlement) {
        uint256 price = auction.highestBid;
        address currency = auction.currency;
        settlement.currency = currency;
        settlement.price = price;
        // price < 2**96 and bps <= 10_000: no product here can overflow 256 bits.
        settlement.carbonAmount = terms.carbonOffsetter == address(0) ? 0 : (price * terms.carbonBps) / BPS;
        uint256 shared = 0;
        uint256 count = terms.revenueShares.length;
        for (uint256 i = 0; i < count; ++i) {
            RevenueShare memory share = terms.revenueShares[i];
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
        address carbonOffsetter,
        address currency,
        uint256 amount,
        address beneficiary
    ) private returns (uint256 retirementEventId, uint256 credits) {
        ICarbonOffsetPayments offsetter = ICarbonOffsetPayments(carbonOffsetter);
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
        // The seller is sender and recipient: the seller controls the stream and gets any refund.
        uint40 startTime = uint40(block.timestamp);
        uint40 endTime = uint40(block.timestamp + duration);
        if (currency == NATIVE) {
            return streams.createStream{value: amount}(seller, seller, currency, uint128(amount), startTime, 0, endTime);
        }
        IERC20(currency).forceApprove(address(streams), amount);
        return streams.createStream(seller, seller, currency, uint128(amount), startTime, 0, endTime);
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

    /// @dev Reverts while paused; returns the seconds spent paused so far (the house clock's lag).
    function _requireNotPaused() private view returns (uint256 pausedTotal) {
        Clock memory clock = _clock;
        if (clock.paused) revert EnforcedPause();
        return clock.pausedTotal;
    }

    /// @dev House-clock time `houseTime` in wall-clock seconds as of now.
    function _wallTime(uint256 houseTime) private view returns (uint256) {
        Clock memory clock = _clock;
        uint256 lag = clock.pausedTotal;
        if (clock.paused) lag += block.timestamp - clock.pausedAt;
        return houseTime + lag;
    }

    function _nextTerms() private returns (PayoutTerms storage) {
        return _terms[++_currentTermsId];
    }

    function _emitTermsRecorded(PayoutTerms storage terms) private {
        emit PayoutTermsRecorded(_currentTermsId, terms.carbonOffsetter, terms.carbonBps, terms.revenueShareBps);
    }

    /// @dev A contract answering ERC-165 for the payment interface, so a bare Toucan TCO2 (which
    /// has no payment function) is refused here rather than deferring every carbon share.
    function _checkOffsetter(address offsetter) private view {
        if (offsetter.code.length == 0) revert AuctionHouseNotAContract(offsetter);
        try IERC165(offsetter).supportsInterface(type(ICarbonOffsetPayments).interfaceId) returns (bool supported) {
            if (supported) return;
        } catch {}
        revert AuctionHouseNotAnOffsetter(offsetter);
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

// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {Payments} from "../utils/Payments.sol";
import {IStreamRecords, IStreams} from "./IStreams.sol";

/// @title Streams
/// @notice Sablier-style linear payment streams in the native token or any ERC-20.
///
/// Vesting: nothing before `cliffTime`; from then on `baseVested + (deposit - baseVested) *
/// (t - startTime) / (endTime - startTime)`, all of `deposit` from `endTime`. `baseVested` is 0
/// until an extension re-bases the stream.
///
/// Pause rule (emergency stop): while paused the clock stops at `pausedAt`, so nothing vests.
/// Resuming shifts start, cliff and end forward by the paused time that fell inside the
/// schedule (`now - max(pausedAt, startTime)`, nothing if paused after the end), so the
/// recipient still receives the whole deposit, later. What vested before the pause stays
/// withdrawable while paused. A pause by a stream admin (the DAO's emergency stop) can only be
/// lifted by a stream admin; a pause by the sender, by the sender or an admin.
///
/// Extension rule: `extendStream` freezes what has vested so far into `baseVested`, restarts
/// the segment at `now` (if the stream has started) and vests the rest of the enlarged deposit
/// linearly to the new end. Vested amounts never decrease.
///
/// Cancel: the amount vested at that moment stays the recipient's; the rest is refundable to
/// the sender. Both sides pull their part (`withdraw`, `withdrawRefund`); nothing is pushed.
///
/// Who controls a stream (cancel, pause, resume): its sender, always. A stream admin (the DAO's
/// timelock or guardians) only while the stream is admin-controlled, which its sender decides:
/// - a stream a contract opens for itself (the funder is the sender, e.g. a FundingRound's payout
///   stream, whose money the DAO oversees for the donors) starts admin-controlled;
/// - any other stream (a wallet's own stream, or one funded on behalf of another sender, e.g. an
///   auction's payout stream, whose sender is the seller) starts out of the admins' reach;
/// - the sender switches it either way with `setAdminControl`, except while an admin's pause holds
///   (that pause is lifted by a stream admin only, so control cannot be withdrawn under it).
/// So an admin cannot cancel or freeze a third party's stream without its sender's consent.
///
/// ERC-20 deposits are booked at what arrived (balance difference): a fee-on-transfer token
/// funds a stream of the amount received. Rebasing tokens are not supported.
///
/// Admin hand-over: DEFAULT_ADMIN_ROLE is the DAO timelock after the deploy's hand-over (the
/// timelock is granted first, then the deployer renounces), and later changes are timelock
/// proposals, so there is no separate two-step transfer.
contract Streams is IStreams, IStreamRecords, AccessControl, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice May cancel, pause and resume admin-controlled streams (the DAO's timelock or guardians).
    bytes32 public constant STREAM_ADMIN_ROLE = keccak256("STREAM_ADMIN_ROLE");
    /// @notice The token address that stands for the chain's native token.
    address public constant NATIVE = Payments.NATIVE;

    // `Stream`, the stored record, is IStreamRecords.Stream: what senders read is what is kept.

    mapping(uint256 streamId => Stream) private _streams;
    uint256 private _nextStreamId = 1;
    mapping(uint256 streamId => bool) private _adminControlled;

    /// @notice `funder` paid `deposit` of `token` into a new stream that `sender` controls.
    event StreamCreated(
        uint256 indexed streamId,
        address indexed sender,
        address indexed recipient,
        address funder,
        address token,
        uint128 deposit,
        uint40 startTime,
        uint40 cliffTime,
        uint40 endTime
    );
    /// @notice The recipient withdrew `amount`; `totalWithdrawn` is its running total.
    event StreamWithdrawn(
        uint256 indexed streamId,
        address indexed recipient,
        address token,
        uint128 amount,
        uint128 totalWithdrawn
    );
    /// @notice `by` cancelled: `vestedAmount` stays the recipient's, `refundAmount` is the sender's.
    event StreamCancelled(uint256 indexed streamId, address indexed by, uint128 vestedAmount, uint128 refundAmount);
    /// @notice The sender withdrew the unvested `amount` of a cancelled stream.
    event StreamRefunded(uint256 indexed streamId, address indexed sender, address token, uint128 amount);
    /// @notice `by` stopped the clock; `vestedAmount` had vested by then.
    event StreamPaused(uint256 indexed streamId, address indexed by, uint128 vestedAmount);
    /// @notice The sender put stream `streamId` under (`adminControlled` true) or out of the stream admins' control.
    event StreamAdminControlSet(uint256 indexed streamId, address indexed sender, bool adminControlled);
    /// @notice `by` restarted the clock; the schedule moved forward by `shift` seconds.
    event StreamResumed(
        uint256 indexed streamId,
        address indexed by,
        uint40 shift,
        uint40 startTime,
        uint40 cliffTime,
        uint40 endTime
    );
    /// @notice The sender added `extraAmount`; from `startTime` the unvested rest vests until `endTime`.
    event StreamExtended(
        uint256 indexed streamId,
        address indexed sender,
        uint128 extraAmount,
        uint128 deposit,
        uint128 vestedAmount,
        uint40 startTime,
        uint40 endTime
    );

    error StreamsZeroAddress();
    error StreamsZeroAmount();
    error StreamsInvalidSchedule(uint40 startTime, uint40 cliffTime, uint40 endTime);
    error StreamsWrongNativeValue(uint256 expected, uint256 sent);
    error StreamsUnknownStream(uint256 streamId);
    error StreamsNotRecipient(uint256 streamId, address caller);
    error StreamsNotSender(uint256 streamId, address caller);
    error StreamsUnauthorized(uint256 streamId, address caller);
    error StreamsStreamCancelled(uint256 streamId);
    error StreamsStreamPaused(uint256 streamId);
    error StreamsStreamNotPaused(uint256 streamId);
    error StreamsStreamNotCancelled(uint256 streamId);
    error StreamsNothingToWithdraw(uint256 streamId);
    error StreamsNothingToRefund(uint256 streamId);
    error StreamsAdminPauseHolds(uint256 streamId);

    constructor(address admin) {
        if (admin == address(0)) revert StreamsZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(STREAM_ADMIN_ROLE, admin);
    }

    // ----- opening and topping up -----

    /// @inheritdoc IStreams
    /// @dev `cliffTime` 0 means no cliff. `startTime` may lie in the past; `endTime` may not. The
    /// deposit is what arrived (less than `amount` for a fee-on-transfer token).
    function createStream(
        address sender,
        address recipient,
        address token,
        uint128 amount,
        uint40 startTime,
        uint40 cliffTime,
        uint40 endTime
    ) external payable nonReentrant returns (uint256 streamId) {
        if (sender == address(0) || recipient == address(0)) revert StreamsZeroAddress();
        if (amount == 0) revert StreamsZeroAmount();
        if (cliffTime == 0) cliffTime = startTime;
        if (startTime > cliffTime || cliffTime > endTime || startTime == endTime || endTime <= block.timestamp) {
            revert StreamsInvalidSchedule(startTime, cliffTime, endTime);
        }

        // Pulled first to book what arrived; nonReentrant keeps a token's hooks out of the state below.
        uint128 deposit = _pullPayment(token, amount);

        streamId = _nextStreamId++;
        Stream storage stream = _streams[streamId];
        stream.sender = sender;
        stream.startTime = startTime;
        stream.endTime = endTime;
        stream.recipient = recipient;
        stream.cliffTime = cliffTime;
        stream.token = token;
        stream.deposit = deposit;
        emit StreamCreated(streamId, sender, recipient, msg.sender, token, deposit, startTime, cliffTime, endTime);

        // A contract opening a stream for itself is a platform escrow: the DAO keeps its emergency hand.
        if (msg.sender == sender && msg.sender.code.length != 0) {
            _adminControlled[streamId] = true;
            emit StreamAdminControlSet(streamId, sender, true);
        }
    }

    /// @inheritdoc IStreams
    /// @dev The new end may equal the old one (a top-up) but must lie in the future. The amount
    /// added is what arrived.
    function extendStream(uint256 streamId, uint128 extraAmount, uint40 newEndTime) external payable nonReentrant {
        Stream storage stream = _existing(streamId);
        if (msg.sender != stream.sender) revert StreamsNotSender(streamId, msg.sender);
        if (stream.cancelled) revert StreamsStreamCancelled(streamId);
        if (stream.pausedAt != 0) revert StreamsStreamPaused(streamId);
        if (extraAmount == 0) revert StreamsZeroAmount();
        if (newEndTime < stream.endTime || newEndTime <= block.timestamp) {
            revert StreamsInvalidSchedule(stream.startTime, stream.cliffTime, newEndTime);
        }

        // Pulled first to book what arrived; nonReentrant keeps a token's hooks out of the state below.
        uint128 added = _pullPayment(stream.token, extraAmount);
        uint128 vested = _vestedAmount(stream);
        if (block.timestamp > stream.startTime) {
            stream.baseVested = vested;
            stream.startTime = uint40(block.timestamp);
        }
        uint128 deposit = stream.deposit + added;
        stream.deposit = deposit;
        stream.endTime = newEndTime;
        emit StreamExtended(streamId, msg.sender, added, deposit, vested, stream.startTime, newEndTime);
    }

    // ----- pulling funds out -----

    /// @notice Withdraw everything vested and not yet withdrawn. Recipient only.
    function withdraw(uint256 streamId) external nonReentrant returns (uint128 amount) {
        Stream storage stream = _existing(streamId);
        if (msg.sender != stream.recipient) revert StreamsNotRecipient(streamId, msg.sender);
        uint128 withdrawn = stream.withdrawn;
        amount = _vestedAmount(stream) - withdrawn;
        if (amount == 0) revert StreamsNothingToWithdraw(streamId);

        withdrawn += amount;
        stream.withdrawn = withdrawn;
        emit StreamWithdrawn(streamId, msg.sender, stream.token, amount, withdrawn);

        Payments.pay(stream.token, msg.sender, amount);
    }

    /// @notice Withdraw the unvested part of a cancelled stream. Stream sender only.
    function withdrawRefund(uint256 streamId) external nonReentrant returns (uint128 amount) {
        Stream storage stream = _existing(streamId);
        if (msg.sender != stream.sender) revert StreamsNotSender(streamId, msg.sender);
        if (!stream.cancelled) revert StreamsStreamNotCancelled(streamId);
        amount = stream.deposit - stream.baseVested;
        if (stream.refunded || amount == 0) revert StreamsNothingToRefund(streamId);

        stream.refunded = true;
        emit StreamRefunded(streamId, msg.sender, stream.token, amount);

        Payments.pay(stream.token, msg.sender, amount);
    }

    // ----- control: the sender, or a stream admin for admin-controlled streams -----

    /// @notice Put the stream under the stream admins' control (`adminControlled` true) or take it
    /// out. Stream sender only; not while a stream admin's pause holds.
    function setAdminControl(uint256 streamId, bool adminControlled) external {
        Stream storage stream = _existing(streamId);
        if (msg.sender != stream.sender) revert StreamsNotSender(streamId, msg.sender);
        if (stream.pausedByAdmin) revert StreamsAdminPauseHolds(streamId);
        _adminControlled[streamId] = adminControlled;
        emit StreamAdminControlSet(streamId, msg.sender, adminControlled);
    }

    /// @notice Stop the stream for good: what vested stays the recipient's, the rest is refundable.
    function cancel(uint256 streamId) external {
        Stream storage stream = _controlled(streamId);
        uint128 vested = _vestedAmount(stream);
        stream.baseVested = vested;
        stream.cancelled = true;
        emit StreamCancelled(streamId, msg.sender, vested, stream.deposit - vested);
    }

    /// @notice Emergency stop: freeze the vesting clock until `resume`.
    function pause(uint256 streamId) external {
        Stream storage stream = _controlled(streamId);
        if (stream.pausedAt != 0) revert StreamsStreamPaused(streamId);
        uint128 vested = _vestedAmount(stream);
        stream.pausedAt = uint40(block.timestamp);
        stream.pausedByAdmin = msg.sender != stream.sender;
        emit StreamPaused(streamId, msg.sender, vested);
    }

    /// @notice Restart the clock; the schedule moves forward by the paused time inside it. A stream
    /// admin's pause is lifted by a stream admin only.
    function resume(uint256 streamId) external {
        Stream storage stream = _controlled(streamId);
        uint40 pausedAt = stream.pausedAt;
        if (pausedAt == 0) revert StreamsStreamNotPaused(streamId);
        if (stream.pausedByAdmin && !hasRole(STREAM_ADMIN_ROLE, msg.sender)) {
            revert StreamsUnauthorized(streamId, msg.sender);
        }

        uint40 shift = 0;
        uint40 from = pausedAt > stream.startTime ? pausedAt : stream.startTime;
        if (pausedAt < stream.endTime && block.timestamp > from) {
            // from <= block.timestamp is checked just above, so this cannot underflow.
            unchecked {
                shift = uint40(block.timestamp) - from;
            }
            stream.startTime += shift;
            stream.cliffTime += shift;
            stream.endTime += shift;
        }
        stream.pausedAt = 0;
        stream.pausedByAdmin = false;
        emit StreamResumed(streamId, msg.sender, shift, stream.startTime, stream.cliffTime, stream.endTime);
    }

    // ----- views -----

    /// @notice The stream's whole record.
    function getStream(uint256 streamId) external view returns (Stream memory) {
        return _existing(streamId);
    }

    /// @notice What has vested so far (withdrawn or not).
    function vestedAmountOf(uint256 streamId) external view returns (uint128) {
        return _vestedAmount(_existing(streamId));
    }

    /// @notice What the recipient can withdraw now.
    function withdrawableAmountOf(uint256 streamId) external view returns (uint128) {
        Stream storage stream = _existing(streamId);
        return _vestedAmount(stream) - stream.withdrawn;
    }

    /// @notice What the sender can still pull back: the unvested part once cancelled, else 0.
    function refundableAmountOf(uint256 streamId) external view returns (uint128) {
        Stream storage stream = _existing(streamId);
        if (!stream.cancelled || stream.refunded) return 0;
        return stream.deposit - stream.baseVested;
    }

    /// @notice Whether the stream admins may cancel, pause and resume the stream (its sender's choice).
    function isAdminControlled(uint256 streamId) external view returns (bool) {
        _existing(streamId);
        return _adminControlled[streamId];
    }

    /// @notice The id the next stream will get.
    function nextStreamId() external view returns (uint256) {
        return _nextStreamId;
    }

    // ----- internals -----

    function _existing(uint256 streamId) private view returns (Stream storage stream) {
        stream = _streams[streamId];
        if (stream.recipient == address(0)) revert StreamsUnknownStream(streamId);
    }

    function _controlled(uint256 streamId) private view returns (Stream storage stream) {
        stream = _existing(streamId);
        if (msg.sender != stream.sender && !(_adminControlled[streamId] && hasRole(STREAM_ADMIN_ROLE, msg.sender))) {
            revert StreamsUnauthorized(streamId, msg.sender);
        }
        if (stream.cancelled) revert StreamsStreamCancelled(streamId);
    }

    function _vestedAmount(Stream storage stream) private view returns (uint128) {
        if (stream.cancelled) return stream.baseVested;
        uint256 at = stream.pausedAt != 0 ? stream.pausedAt : block.timestamp;
        uint256 start = stream.startTime;
        uint256 end = stream.endTime;
        if (at < stream.cliffTime || at <= start) return stream.baseVested;
        if (at >= end) return stream.deposit;
        uint256 base = stream.baseVested;
        // (deposit - base) < 2**128 and (at - start) < 2**40: the product fits in 256 bits, and the
        // quotient is below deposit - base, so the sum fits back into uint128.
        return uint128(base + (uint256(stream.deposit) - base) * (at - start) / (end - start));
    }

    /// @dev Returns what arrived: `amount` for native value, the balance difference for an ERC-20.
    function _pullPayment(address token, uint128 amount) private returns (uint128 received) {
        if (token == NATIVE) {
            if (msg.value != amount) revert StreamsWrongNativeValue(amount, msg.value);
            return amount;
        }
        if (msg.value != 0) revert StreamsWrongNativeValue(0, msg.value);
        uint256 before = IERC20(token).balanceOf(address(this));
        IERC20(token).safeTransferFrom(msg.sender, address(this), amount);
        received = SafeCast.toUint128(IERC20(token).balanceOf(address(this)) - before);
        if (received == 0) revert StreamsZeroAmount();
    }
}

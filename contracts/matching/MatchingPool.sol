// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {BitMaps} from "@openzeppelin/contracts/utils/structs/BitMaps.sol";

import {Payments} from "../utils/Payments.sol";

/// @title MatchingPool
/// @notice Quadratic-funding matching pools, one per matching round, each in one currency (the
/// native token or an ERC-20; a round set matched in both opens two rounds).
///
/// Lifecycle: the round manager (governance) opens a round; sponsors fund it; the manager sets
/// the community multiplier (1x–4x, an input of the off-chain computation in
/// `impactchain.matching`) and commits the Merkle root of the allocation together with the
/// hash and IPFS CID of the inputs it was computed from; recipients (or anyone for them) claim
/// with proofs until the claim deadline; after it the manager recovers what is left.
///
/// Leaves bind the chain, the pool and the round, so one root can pay only once: OpenZeppelin's
/// StandardMerkleTree encoding for (uint256 chainId, address pool, uint256 roundId, uint256 index,
/// address account, uint256 amount), i.e.
/// keccak256(bytes.concat(keccak256(abi.encode(block.chainid, address(this), roundId, index, account, amount)))).
/// The same root committed to another round, another pool or on another chain proves nothing there.
///
/// ERC-20 funding is booked at what arrived (balance difference): a fee-on-transfer token adds to
/// the pool what the pool received, and `PoolFunded` reports that amount.
///
/// Admin hand-over: DEFAULT_ADMIN_ROLE is the DAO timelock after the deploy's hand-over (granted
/// to the timelock first, then renounced by the deployer), later changes are timelock proposals,
/// so there is no separate two-step transfer.
contract MatchingPool is AccessControl, ReentrancyGuardTransient {
    using BitMaps for BitMaps.BitMap;
    using SafeERC20 for IERC20;

    /// @notice Opens rounds, sets multipliers, commits roots and recovers what is left (governance).
    bytes32 public constant ROUND_MANAGER_ROLE = keccak256("ROUND_MANAGER_ROLE");
    /// @notice The token address that stands for the chain's native token.
    address public constant NATIVE = Payments.NATIVE;
    uint8 public constant MIN_MULTIPLIER = 1;
    uint8 public constant MAX_MULTIPLIER = 4;

    struct Round {
        address token;
        uint8 multiplier;
        bool recovered;
        uint64 claimDeadline;
        bytes32 merkleRoot;
        uint256 funded;
        uint256 allocated;
        uint256 claimed;
    }

    mapping(uint256 roundId => Round) private _rounds;
    mapping(uint256 roundId => BitMaps.BitMap) private _claimedBitmap;
    mapping(uint256 roundId => mapping(address sponsor => uint256)) private _sponsored;
    uint256 private _lastRoundId;

    /// @notice `openedBy` opened round `roundId`, paid in `token` (address(0) = native).
    event RoundOpened(uint256 indexed roundId, address indexed token, address indexed openedBy);
    /// @notice `sponsor` added `amount` to round `roundId`; `totalFunded` is the round's pool now.
    event PoolFunded(uint256 indexed roundId, address indexed sponsor, uint256 amount, uint256 totalFunded);
    /// @notice The community multiplier of round `roundId` is now `multiplier`.
    event MultiplierSet(uint256 indexed roundId, uint8 multiplier);
    /// @notice The allocation of round `roundId`: `allocated` in total under `merkleRoot`, computed
    /// from the inputs whose keccak256 is `inputsHash`, stored on IPFS as `inputsCid`.
    event RootCommitted(
        uint256 indexed roundId,
        bytes32 merkleRoot,
        uint256 allocated,
        uint8 multiplier,
        uint64 claimDeadline,
        bytes32 inputsHash,
        string inputsCid
    );
    /// @notice Leaf `index` of round `roundId` paid `amount` to `account`; `claimedBy` sent the claim.
    event MatchClaimed(
        uint256 indexed roundId,
        uint256 indexed index,
        address indexed account,
        uint256 amount,
        address claimedBy
    );
    /// @notice After the deadline `amount` of round `roundId` that nobody claimed went to `to`.
    event UnclaimedRecovered(uint256 indexed roundId, address indexed to, uint256 amount);

    error MatchingPoolZeroAddress();
    error MatchingPoolZeroAmount();
    error MatchingPoolUnknownRound(uint256 roundId);
    error MatchingPoolWrongNativeValue(uint256 expected, uint256 sent);
    error MatchingPoolInvalidMultiplier(uint8 multiplier);
    error MatchingPoolRootAlreadyCommitted(uint256 roundId);
    error MatchingPoolRootNotCommitted(uint256 roundId);
    error MatchingPoolAllocationExceedsFunds(uint256 allocated, uint256 funded);
    error MatchingPoolInvalidDeadline(uint64 claimDeadline);
    error MatchingPoolClaimWindowClosed(uint256 roundId, uint64 claimDeadline);
    error MatchingPoolClaimWindowOpen(uint256 roundId, uint64 claimDeadline);
    error MatchingPoolAlreadyClaimed(uint256 roundId, uint256 index);
    error MatchingPoolInvalidProof(uint256 roundId, uint256 index);
    error MatchingPoolAllocationExhausted(uint256 roundId, uint256 amount, uint256 remaining);
    error MatchingPoolAlreadyRecovered(uint256 roundId);

    constructor(address admin) {
        if (admin == address(0)) revert MatchingPoolZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(ROUND_MANAGER_ROLE, admin);
    }

    // ----- round manager -----

    /// @notice Open a matching round paid in `token` (address(0) = native), multiplier 1x.
    function openRound(address token) external onlyRole(ROUND_MANAGER_ROLE) returns (uint256 roundId) {
        roundId = ++_lastRoundId;
        Round storage round = _rounds[roundId];
        round.token = token;
        round.multiplier = MIN_MULTIPLIER;
        emit RoundOpened(roundId, token, msg.sender);
    }

    /// @notice Set the community multiplier (1–4) used by the off-chain allocation. Before the root only.
    function setMultiplier(uint256 roundId, uint8 multiplier) external onlyRole(ROUND_MANAGER_ROLE) {
        Round storage round = _uncommitted(roundId);
        if (multiplier < MIN_MULTIPLIER || multiplier > MAX_MULTIPLIER) revert MatchingPoolInvalidMultiplier(multiplier);
        round.multiplier = multiplier;
        emit MultiplierSet(roundId, multiplier);
    }

    /// @notice Commit the allocation: its Merkle root, its total, the claim deadline and the
    /// inputs' hash and CID. Once per round; funding closes with it.
    function commitRoot(
        uint256 roundId,
        bytes32 merkleRoot,
        uint256 allocated,
        uint64 claimDeadline,
        bytes32 inputsHash,
        string calldata inputsCid
    ) external onlyRole(ROUND_MANAGER_ROLE) {
        Round storage round = _uncommitted(roundId);
        if (allocated > round.funded) revert MatchingPoolAllocationExceedsFunds(allocated, round.funded);
        if (claimDeadline <= block.timestamp) revert MatchingPoolInvalidDeadline(claimDeadline);
        round.merkleRoot = merkleRoot;
        round.allocated = allocated;
        round.claimDeadline = claimDeadline;
        emit RootCommitted(roundId, merkleRoot, allocated, round.multiplier, claimDeadline, inputsHash, inputsCid);
    }

    /// @notice After the claim deadline, send everything not claimed (including any part of the
    /// pool the allocation left out) to `to`. Once per round.
    function recoverUnclaimed(uint256 roundId, address to) external onlyRole(ROUND_MANAGER_ROLE) nonReentrant {
        if (to == address(0)) revert MatchingPoolZeroAddress();
        Round storage round = _committed(roundId);
        if (block.timestamp <= round.claimDeadline) revert MatchingPoolClaimWindowOpen(roundId, round.claimDeadline);
        if (round.recovered) revert MatchingPoolAlreadyRecovered(roundId);
        round.recovered = true;
        uint256 amount = round.funded - round.claimed;
        emit UnclaimedRecovered(roundId, to, amount);
        if (amount > 0) Payments.pay(round.token, to, amount);
    }

    // ----- sponsors -----

    /// @notice Add `amount` to round `roundId`'s pool: attach it as value for a native round,
    /// approve it for an ERC-20 round (what arrives is booked). Open until the root is committed.
    function fund(uint256 roundId, uint256 amount) external payable nonReentrant {
        Round storage round = _uncommitted(roundId);
        if (amount == 0) revert MatchingPoolZeroAmount();
        address token = round.token;
        bool native = token == NATIVE;
        uint256 expectedValue = native ? amount : 0;
        if (msg.value != expectedValue) revert MatchingPoolWrongNativeValue(expectedValue, msg.value);
        uint256 received = amount;
        if (!native) {
            // Pulled first to book what arrived; nonReentrant keeps a token's hooks out of the state below.
            uint256 before = IERC20(token).balanceOf(address(this));
            IERC20(token).safeTransferFrom(msg.sender, address(this), amount);
            received = IERC20(token).balanceOf(address(this)) - before;
            if (received == 0) revert MatchingPoolZeroAmount();
        }

        uint256 totalFunded = round.funded + received;
        round.funded = totalFunded;
        _sponsored[roundId][msg.sender] += received;
        emit PoolFunded(roundId, msg.sender, received, totalFunded);
    }

    // ----- recipients -----

    /// @notice Pay leaf `index` (`account`, `amount`) of round `roundId` to `account`. Anyone may
    /// send the claim; the money only ever goes to the account in the leaf.
    function claim(
        uint256 roundId,
        uint256 index,
        address account,
        uint256 amount,
        bytes32[] calldata proof
    ) external nonReentrant {
        Round storage round = _committed(roundId);
        if (block.timestamp > round.claimDeadline) revert MatchingPoolClaimWindowClosed(roundId, round.claimDeadline);
        if (_claimedBitmap[roundId].get(index)) revert MatchingPoolAlreadyClaimed(roundId, index);
        bytes32 leaf = leafHash(roundId, index, account, amount);
        if (!MerkleProof.verifyCalldata(proof, round.merkleRoot, leaf)) revert MatchingPoolInvalidProof(roundId, index);
        // A root is only as good as its computation: never pay out beyond the committed total.
        uint256 remaining = round.allocated - round.claimed;
        if (amount > remaining) revert MatchingPoolAllocationExhausted(roundId, amount, remaining);

        _claimedBitmap[roundId].set(index);
        round.claimed += amount;
        emit MatchClaimed(roundId, index, account, amount, msg.sender);
        Payments.pay(round.token, account, amount);
    }

    // ----- views -----

    /// @notice The Merkle leaf of (`index`, `account`, `amount`) in round `roundId` of this pool on this chain.
    function leafHash(uint256 roundId, uint256 index, address account, uint256 amount) public view returns (bytes32) {
        return
            keccak256(bytes.concat(keccak256(abi.encode(block.chainid, address(this), roundId, index, account, amount))));
    }

    /// @notice The round's whole record.
    function getRound(uint256 roundId) external view returns (Round memory) {
        return _existing(roundId);
    }

    /// @notice Whether leaf `index` of round `roundId` has been paid.
    function isClaimed(uint256 roundId, uint256 index) external view returns (bool) {
        return _claimedBitmap[roundId].get(index);
    }

    /// @notice What `sponsor` added to round `roundId` (as received).
    function sponsoredBy(uint256 roundId, address sponsor) external view returns (uint256) {
        return _sponsored[roundId][sponsor];
    }

    /// @notice The id of the latest round (0 before the first).
    function lastRoundId() external view returns (uint256) {
        return _lastRoundId;
    }

    // ----- internals -----

    function _existing(uint256 roundId) private view returns (Round storage round) {
        round = _rounds[roundId];
        if (round.multiplier == 0) revert MatchingPoolUnknownRound(roundId);
    }

    function _uncommitted(uint256 roundId) private view returns (Round storage round) {
        round = _existing(roundId);
        if (round.claimDeadline != 0) revert MatchingPoolRootAlreadyCommitted(roundId);
    }

    function _committed(uint256 roundId) private view returns (Round storage round) {
        round = _existing(roundId);
        if (round.claimDeadline == 0) revert MatchingPoolRootNotCommitted(roundId);
    }
}

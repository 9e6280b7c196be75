// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {GovernorTimelockControl} from "@openzeppelin/contracts/governance/extensions/GovernorTimelockControl.sol";
import {IDAOCore} from "./IDAOCore.sol";
import {IRoundRegistry} from "./IRoundRegistry.sol";

/// @title CallPolicy
/// @notice What each proposal type may call, and how a proposal's type is read from its
/// description. `DAOCore` creates its policy in its constructor and consults it at propose time.
///
/// HELP_REQUEST and FOUNDER_IDEA proposals may only make calls on their type's allowlist of
/// (target, selector), with no value and at least a 4-byte selector; the target ANY_ROUND stands
/// for every round of `roundFactory()` (rounds are clones created after the policy is written).
/// TREASURY_SPEND and ADMIN proposals may call anything: DAOCore does not queue them without the
/// guardian council's approval. The DAO, its timelock and this policy can never be allowlisted,
/// so every change of settings, roles, upgrades, treasury assets — and of this policy — needs a
/// TREASURY_SPEND or ADMIN proposal. Entries marked `fastTrack` are HelpDesk emergency
/// operations: a HELP_REQUEST made only of those may be fast-tracked by the guardians.
/// @dev Intended production policy: HELP_REQUEST → HelpDesk `approveWithdrawal` and
/// `flagEmergency` (both fast-trackable) and `rejectRequest`; FOUNDER_IDEA → FundingRoundFactory
/// `createRound`, and ANY_ROUND `approveMilestone`, `rejectMilestone` and `cancel`.
contract CallPolicy {
    /// @notice Allowlist target standing for "any round of `roundFactory()`": an address derived
    /// from a hash, which no key or code is known for.
    address public constant ANY_ROUND = address(bytes20(keccak256("ImpactChain.CallPolicy.ANY_ROUND")));

    uint8 private constant _ALLOWED = 1;
    uint8 private constant _ALLOWED_FAST_TRACK = 2;
    bytes32 private constant _PROPOSER_MARKER = keccak256("#proposer=");
    bytes32 private constant _TYPE_HELP_REQUEST = keccak256("#type=HELP_REQUEST");
    bytes32 private constant _TYPE_FOUNDER_IDEA = keccak256("#type=FOUNDER_IDEA");
    bytes32 private constant _TYPE_TREASURY_SPEND = keccak256("#type=TREASURY_SPEND");
    bytes32 private constant _TYPE_ADMIN = keccak256("#type=ADMIN");

    /// @notice One allowlist entry: `proposalType` proposals may call `selector` on `target`;
    /// `fastTrack` marks a HelpDesk emergency operation (HELP_REQUEST only).
    struct CallPermission {
        IDAOCore.ProposalType proposalType;
        address target;
        bytes4 selector;
        bool fastTrack;
    }

    /// @dev The DAOCore that created this policy; it has `timelock()` (its executor).
    address private immutable _dao;
    mapping(IDAOCore.ProposalType => mapping(address target => mapping(bytes4 selector => uint8))) private _policy;
    IRoundRegistry private _roundFactory;

    /// @notice `proposalType` proposals may (`allowed`) call `selector` on `target`; `fastTrack`
    /// marks it an emergency operation.
    event CallPermissionSet(
        IDAOCore.ProposalType indexed proposalType,
        address indexed target,
        bytes4 indexed selector,
        bool allowed,
        bool fastTrack
    );
    /// @notice ANY_ROUND entries now cover the rounds of `newFactory`.
    event RoundFactorySet(address indexed previousFactory, address indexed newFactory);

    error CallPolicyOnlyGovernance(address caller);
    error CallPolicyValueNotAllowed(uint256 index, uint256 value);
    error CallPolicyCalldataTooShort(uint256 index);
    error CallPolicyCallNotAllowed(IDAOCore.ProposalType proposalType, uint256 index, address target, bytes4 selector);
    error CallPolicyNotRestrictedType(IDAOCore.ProposalType proposalType);
    error CallPolicyTargetNotAllowable(address target);
    error CallPolicyFastTrackNotAllowable(IDAOCore.ProposalType proposalType, bool allowed);

    /// @param timelock The DAO's timelock (the DAO, the caller, cannot be asked while it is
    /// being constructed).
    constructor(address timelock, CallPermission[] memory initialPolicy, IRoundRegistry initialRoundFactory) {
        _dao = msg.sender;
        for (uint256 i; i < initialPolicy.length; ++i) {
            CallPermission memory entry = initialPolicy[i];
            _setCallPermission(entry.proposalType, entry.target, entry.selector, true, entry.fastTrack, timelock);
        }
        _setRoundFactory(initialRoundFactory);
    }

    // ----- governance-only settings -----

    /// @notice Allow (or, with `allowed` false, disallow) `typeOfProposal` proposals — HELP_REQUEST
    /// or FOUNDER_IDEA only — to call `selector` on `target` (ANY_ROUND: every round of
    /// `roundFactory()`); `fastTrack` marks a HelpDesk emergency operation (HELP_REQUEST only).
    /// The DAO's timelock only, i.e. an executed TREASURY_SPEND or ADMIN proposal.
    function setCallPermission(
        IDAOCore.ProposalType typeOfProposal,
        address target,
        bytes4 selector,
        bool allowed,
        bool fastTrack
    ) external {
        address timelock = _requireGovernance();
        _setCallPermission(typeOfProposal, target, selector, allowed, fastTrack, timelock);
    }

    /// @notice The factory whose rounds ANY_ROUND entries cover (0 = none). The DAO's timelock only.
    function setRoundFactory(IRoundRegistry factory) external {
        _requireGovernance();
        _setRoundFactory(factory);
    }

    // ----- what DAOCore asks -----

    /// @notice Refuse the calls a `typeOfProposal` proposal may not make (reverts naming the
    /// first), and tell whether every call is an emergency operation (false for types that may
    /// call anything).
    function screen(
        IDAOCore.ProposalType typeOfProposal,
        address[] calldata targets,
        uint256[] calldata values,
        bytes[] calldata calldatas
    ) external view returns (bool fastTrackable) {
        if (typeOfProposal == IDAOCore.ProposalType.TREASURY_SPEND || typeOfProposal == IDAOCore.ProposalType.ADMIN) {
            return false;
        }
        fastTrackable = true;
        address timelock = _timelock();
        for (uint256 i; i < targets.length; ++i) {
            if (values[i] != 0) revert CallPolicyValueNotAllowed(i, values[i]);
            if (calldatas[i].length < 4) revert CallPolicyCalldataTooShort(i);
            address target = targets[i];
            bytes4 selector = bytes4(calldatas[i][:4]);
            uint8 permission = _policy[typeOfProposal][target][selector];
            if (permission == 0) {
                permission = _policy[typeOfProposal][ANY_ROUND][selector];
                if (permission != 0 && !_isRound(target)) permission = 0;
            }
            // Never listed; checked again in case the DAO moved to a timelock listed earlier.
            if (permission == 0 || target == address(this) || target == _dao || target == timelock) {
                revert CallPolicyCallNotAllowed(typeOfProposal, i, target, selector);
            }
            if (permission != _ALLOWED_FAST_TRACK) fastTrackable = false;
        }
    }

    /// @notice The type a proposal with `description` gets. Format: the description may end with
    /// `#type=<NAME>`, NAME one of HELP_REQUEST, FOUNDER_IDEA, TREASURY_SPEND, ADMIN (exactly, in
    /// upper case), optionally followed by OpenZeppelin's proposer suffix: `#proposer=` starting
    /// exactly 52 characters before the end (then `0x` and 40 hex digits), which is ignored here.
    /// Without one of those four suffixes the type is HELP_REQUEST. The description is hashed into
    /// the proposal id, so the type is too. Example:
    /// `Flood relief, request 3#type=HELP_REQUEST#proposer=0x70997970C51812dc3A010C7d01b50e0d17dc79C8`.
    function proposalTypeOf(string calldata description) external pure returns (IDAOCore.ProposalType) {
        bytes calldata text = bytes(description);
        uint256 end = text.length;
        if (end >= 52 && keccak256(text[end - 52:end - 42]) == _PROPOSER_MARKER) end -= 52;
        if (end >= 11 && keccak256(text[end - 11:end]) == _TYPE_ADMIN) return IDAOCore.ProposalType.ADMIN;
        if (end >= 18) {
            bytes32 suffix = keccak256(text[end - 18:end]);
            if (suffix == _TYPE_FOUNDER_IDEA) return IDAOCore.ProposalType.FOUNDER_IDEA;
            if (suffix == _TYPE_HELP_REQUEST) return IDAOCore.ProposalType.HELP_REQUEST;
        }
        if (end >= 20 && keccak256(text[end - 20:end]) == _TYPE_TREASURY_SPEND) {
            return IDAOCore.ProposalType.TREASURY_SPEND;
        }
        return IDAOCore.ProposalType.HELP_REQUEST;
    }

    // ----- views -----

    /// @notice Whether `typeOfProposal` proposals may call `selector` on `target` as listed (no
    /// ANY_ROUND resolution), and whether that call is a fast-trackable emergency operation.
    function callPermission(IDAOCore.ProposalType typeOfProposal, address target, bytes4 selector)
        external
        view
        returns (bool allowed, bool fastTrack)
    {
        uint8 permission = _policy[typeOfProposal][target][selector];
        return (permission != 0, permission == _ALLOWED_FAST_TRACK);
    }

    /// @notice The factory whose rounds ANY_ROUND entries cover (0 = none).
    function roundFactory() external view returns (address) {
        return address(_roundFactory);
    }

    /// @notice The DAOCore this policy serves.
    function dao() external view returns (address) {
        return _dao;
    }

    // ----- internals -----

    function _setCallPermission(
        IDAOCore.ProposalType typeOfProposal,
        address target,
        bytes4 selector,
        bool allowed,
        bool fastTrack,
        address timelock
    ) private {
        if (typeOfProposal != IDAOCore.ProposalType.HELP_REQUEST && typeOfProposal != IDAOCore.ProposalType.FOUNDER_IDEA)
        {
            revert CallPolicyNotRestrictedType(typeOfProposal);
        }
        if (target == address(0) || target == address(this) || target == _dao || target == timelock) {
            revert CallPolicyTargetNotAllowable(target);
        }
        if (fastTrack && (!allowed || typeOfProposal != IDAOCore.ProposalType.HELP_REQUEST)) {
            revert CallPolicyFastTrackNotAllowable(typeOfProposal, allowed);
        }
        _policy[typeOfProposal][target][selector] = allowed ? (fastTrack ? _ALLOWED_FAST_TRACK : _ALLOWED) : 0;
        emit CallPermissionSet(typeOfProposal, target, selector, allowed, fastTrack);
    }

    function _setRoundFactory(IRoundRegistry factory) private {
        address previous = address(_roundFactory);
        _roundFactory = factory;
        emit RoundFactorySet(previous, address(factory));
    }

    function _requireGovernance() private view returns (address timelock) {
        timelock = _timelock();
        if (msg.sender != timelock) revert CallPolicyOnlyGovernance(msg.sender);
    }

    function _timelock() private view returns (address) {
        return GovernorTimelockControl(payable(_dao)).timelock();
    }

    function _isRound(address target) private view returns (bool) {
        IRoundRegistry factory = _roundFactory;
        return address(factory) != address(0) && factory.isRound(target);
    }
}


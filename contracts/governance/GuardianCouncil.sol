// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {IDAOCore} from "./IDAOCore.sol";
import {IGuardianCouncil} from "./IGuardianCouncil.sol";

/// @title GuardianCouncil
/// @notice M-of-N council of guardians. It co-signs the proposals that may touch anything —
/// TREASURY_SPEND and ADMIN (DAOCore will not queue one without M approvals) — fast-tracks
/// emergency HELP_REQUEST proposals (the M-th guardian's support triggers `DAOCore.fastTrack`),
/// and makes calls that M guardians confirmed (e.g. `HelpDesk.emergencyRelease`, for which the
/// council holds GUARDIAN_ROLE). A guardian may revoke an approval, support or confirmation
/// until it has taken effect (a queued proposal stays queued).
/// @dev Owned by the DAO's timelock from construction: membership and threshold change only
/// through governance, and a change of owner is two-step (Ownable2Step). The account that
/// deploys the council may bind it to its DAO once (`setDAO`), since the DAO is deployed after
/// the council; afterwards only the owner may rebind it.
///
/// Approvals are counted over the *current* guardians, and each guardian's marks carry the
/// membership epoch they were made in: removing a guardian drops their approvals, and re-adding
/// them does not bring the old approvals back.
contract GuardianCouncil is Ownable2Step, IGuardianCouncil {
    /// @notice The most guardians a council may have.
    uint256 public constant MAX_GUARDIANS = 20;

    address private immutable _deployer;
    address[] private _guardians;
    /// @dev Membership epoch of each current guardian (0 = not a guardian); unique per addition.
    mapping(address account => uint64) private _epochOf;
    uint64 private _lastEpoch;
    uint256 private _threshold;
    IDAOCore private _dao;
    /// @dev Marks hold the marking guardian's epoch at the time; they count while it is current.
    mapping(uint256 proposalId => mapping(address guardian => uint64)) private _spendApproved;
    mapping(uint256 proposalId => mapping(address guardian => uint64)) private _emergencySupported;
    mapping(uint256 proposalId => bool) private _fastTracked;
    mapping(bytes32 actionId => mapping(address guardian => uint64)) private _actionConfirmed;
    mapping(bytes32 actionId => bool) private _actionExecuted;

    event GuardianAdded(address indexed guardian);
    event GuardianRemoved(address indexed guardian);
    event ThresholdSet(uint256 previousThreshold, uint256 newThreshold);
    event DAOSet(address indexed previousDAO, address indexed newDAO);
    /// @notice `guardian` approved TREASURY_SPEND or ADMIN proposal `proposalId`; `approvals` now count.
    event TreasurySpendApproved(uint256 indexed proposalId, address indexed guardian, uint256 approvals);
    /// @notice `guardian` withdrew their approval of `proposalId`; `approvals` now count.
    event TreasurySpendApprovalRevoked(uint256 indexed proposalId, address indexed guardian, uint256 approvals);
    /// @notice `guardian` supported fast-tracking `proposalId`; `supporters` now count.
    event EmergencySupported(uint256 indexed proposalId, address indexed guardian, uint256 supporters);
    /// @notice `guardian` withdrew their support for fast-tracking `proposalId`; `supporters` now count.
    event EmergencySupportRevoked(uint256 indexed proposalId, address indexed guardian, uint256 supporters);
    /// @notice `guardian` confirmed calling `target` with `data` (action `actionId`); `confirmations` now count.
    event ActionConfirmed(
        bytes32 indexed actionId, address indexed guardian, address indexed target, bytes data, uint256 confirmations
    );
    /// @notice `guardian` withdrew their confirmation of action `actionId`; `confirmations` now count.
    event ActionConfirmationRevoked(bytes32 indexed actionId, address indexed guardian, uint256 confirmations);
    /// @notice Action `actionId` reached the threshold and its call to `target` succeeded, returning `result`.
    event ActionExecuted(bytes32 indexed actionId, address indexed target, bytes result);

    error GuardianCouncilNotGuardian(address account);
    error GuardianCouncilZeroAddress();
    error GuardianCouncilAlreadyGuardian(address account);
    error GuardianCouncilTooManyGuardians(uint256 max);
    error GuardianCouncilInvalidThreshold(uint256 threshold, uint256 guardians);
    error GuardianCouncilDAONotSet();
    error GuardianCouncilApprovalNotNeeded(uint256 proposalId, IDAOCore.ProposalType proposalType);
    error GuardianCouncilAlreadyApproved(uint256 proposalId, address guardian);
    error GuardianCouncilNotApproved(uint256 proposalId, address guardian);
    error GuardianCouncilAlreadySupported(uint256 proposalId, address guardian);
    error GuardianCouncilNotSupported(uint256 proposalId, address guardian);
    error GuardianCouncilAlreadyFastTracked(uint256 proposalId);
    error GuardianCouncilAlreadyConfirmed(bytes32 actionId, address guardian);
    error GuardianCouncilNotConfirmed(bytes32 actionId, address guardian);
    error GuardianCouncilActionAlreadyExecuted(bytes32 actionId);

    modifier onlyGuardian() {
        if (_epochOf[msg.sender] == 0) revert GuardianCouncilNotGuardian(msg.sender);
        _;
    }

    /// @param initialOwner The DAO's timelock in production (tests may use an account).
    constructor(address initialOwner, address[] memory initialGuardians, uint256 initialThreshold)
        Ownable(initialOwner)
    {
        _deployer = msg.sender;
        for (uint256 i; i < initialGuardians.length; ++i) {
            _addGuardian(initialGuardians[i]);
        }
        _setThreshold(initialThreshold);
    }

    // ----- membership (governance) -----

    /// @notice Point the council at the DAO it serves. Owner only, or once the deployer while
    /// no DAO is set.
    function setDAO(address newDAO) external {
        address previous = address(_dao);
        if (msg.sender != owner() && (msg.sender != _deployer || previous != address(0))) {
            revert OwnableUnauthorizedAccount(msg.sender);
        }
        if (newDAO == address(0)) revert GuardianCouncilZeroAddress();
        _dao = IDAOCore(newDAO);
        emit DAOSet(previous, newDAO);
    }

    /// @notice Add `guardian` (a fresh epoch: marks from an earlier membership do not count). Owner only.
    function addGuardian(address guardian) external onlyOwner {
        _addGuardian(guardian);
    }

    /// @notice Remove `guardian`, dropping their marks; the threshold must still be reachable
    /// afterwards. Owner only.
    function removeGuardian(address guardian) external onlyOwner {
        if (_epochOf[guardian] == 0) revert GuardianCouncilNotGuardian(guardian);
        uint256 last = _guardians.length - 1;
        if (_threshold > last) revert GuardianCouncilInvalidThreshold(_threshold, last);
        for (uint256 i; i < last; ++i) {
            if (_guardians[i] == guardian) {
                _guardians[i] = _guardians[last];
                break;
            }
        }
        _guardians.pop();
        delete _epochOf[guardian];
        emit GuardianRemoved(guardian);
    }

    /// @notice Require `newThreshold` of the guardians (1 to their number). Owner only.
    function setThreshold(uint256 newThreshold) external onlyOwner {
        _setThreshold(newThreshold);
    }

    // ----- guardians' actions -----

    /// @notice Approve `proposalId`, a TREASURY_SPEND or ADMIN proposal (the types DAOCore does
    /// not queue without the guardians' co-signature).
    function approveTreasurySpend(uint256 proposalId) external onlyGuardian {
        IDAOCore.ProposalType proposalType = _requireDAO().proposalType(proposalId);
        if (proposalType != IDAOCore.ProposalType.TREASURY_SPEND && proposalType != IDAOCore.ProposalType.ADMIN) {
            revert GuardianCouncilApprovalNotNeeded(proposalId, proposalType);
        }
        if (_isMarked(_spendApproved[proposalId])) revert GuardianCouncilAlreadyApproved(proposalId, msg.sender);
        _spendApproved[proposalId][msg.sender] = _epochOf[msg.sender];
        emit TreasurySpendApproved(proposalId, msg.sender, treasurySpendApprovals(proposalId));
    }

    /// @notice Withdraw your approval of `proposalId`. Has no effect on a proposal already queued.
    function revokeTreasurySpendApproval(uint256 proposalId) external onlyGuardian {
        if (!_isMarked(_spendApproved[proposalId])) revert GuardianCouncilNotApproved(proposalId, msg.sender);
        delete _spendApproved[proposalId][msg.sender];
        emit TreasurySpendApprovalRevoked(proposalId, msg.sender, treasurySpendApprovals(proposalId));
    }

    /// @notice Support fast-tracking HELP_REQUEST `proposalId`; the supporter who reaches the
    /// threshold triggers `DAOCore.fastTrack`, which checks the proposal's calls and state.
    function supportEmergency(uint256 proposalId) external onlyGuardian {
        IDAOCore core = _requireDAO();
        if (_fastTracked[proposalId]) revert GuardianCouncilAlreadyFastTracked(proposalId);
        mapping(address => uint64) storage marks = _emergencySupported[proposalId];
        if (_isMarked(marks)) revert GuardianCouncilAlreadySupported(proposalId, msg.sender);
        marks[msg.sender] = _epochOf[msg.sender];
        uint256 supporters = _count(marks);
        emit EmergencySupported(proposalId, msg.sender, supporters);
        if (supporters >= _threshold) {
            _fastTracked[proposalId] = true;
            core.fastTrack(proposalId);
        }
    }

    /// @notice Withdraw your support for fast-tracking `proposalId`, until it is fast-tracked.
    function revokeEmergencySupport(uint256 proposalId) external onlyGuardian {
        if (_fastTracked[proposalId]) revert GuardianCouncilAlreadyFastTracked(proposalId);
        mapping(address => uint64) storage marks = _emergencySupported[proposalId];
        if (!_isMarked(marks)) revert GuardianCouncilNotSupported(proposalId, msg.sender);
        delete marks[msg.sender];
        emit EmergencySupportRevoked(proposalId, msg.sender, _count(marks));
    }

    /// @notice Confirm calling `target` with `data` (`salt` tells identical calls apart). The
    /// confirmation that reaches the threshold makes the call; a failing call reverts the
    /// confirmation with the target's error.
    function confirmAction(address target, bytes calldata data, bytes32 salt)
        external
        onlyGuardian
        returns (bytes32 actionId)
    {
        if (target == address(0)) revert GuardianCouncilZeroAddress();
        actionId = hashAction(target, data, salt);
        if (_actionExecuted[actionId]) revert GuardianCouncilActionAlreadyExecuted(actionId);
        mapping(address => uint64) storage marks = _actionConfirmed[actionId];
        if (_isMarked(marks)) revert GuardianCouncilAlreadyConfirmed(actionId, msg.sender);
        marks[msg.sender] = _epochOf[msg.sender];
        uint256 confirmations = _count(marks);
        emit ActionConfirmed(actionId, msg.sender, target, data, confirmations);
        if (confirmations >= _threshold) {
            // Marked before the call, so a re-entering confirmation cannot run it twice.
            _actionExecuted[actionId] = true;
            bytes memory result = Address.functionCall(target, data);
            emit ActionExecuted(actionId, target, result);
        }
    }

    /// @notice Withdraw your confirmation of action `actionId`, until it is executed.
    function revokeActionConfirmation(bytes32 actionId) external onlyGuardian {
        if (_actionExecuted[actionId]) revert GuardianCouncilActionAlreadyExecuted(actionId);
        mapping(address => uint64) storage marks = _actionConfirmed[actionId];
        if (!_isMarked(marks)) revert GuardianCouncilNotConfirmed(actionId, msg.sender);
        delete marks[msg.sender];
        emit ActionConfirmationRevoked(actionId, msg.sender, _count(marks));
    }

    /// @notice The id of the action calling `target` with `data` under `salt`.
    function hashAction(address target, bytes calldata data, bytes32 salt) public pure returns (bytes32) {
        return keccak256(abi.encode(target, data, salt));
    }

    /// @notice How many current guardians confirmed action `actionId`.
    function actionConfirmations(bytes32 actionId) external view returns (uint256) {
        return _count(_actionConfirmed[actionId]);
    }

    /// @notice Whether action `actionId` was executed.
    function isActionExecuted(bytes32 actionId) external view returns (bool) {
        return _actionExecuted[actionId];
    }

    // ----- views -----

    /// @inheritdoc IGuardianCouncil
    function isTreasurySpendApproved(uint256 proposalId) external view returns (bool) {
        return treasurySpendApprovals(proposalId) >= _threshold;
    }

    /// @inheritdoc IGuardianCouncil
    function treasurySpendApprovals(uint256 proposalId) public view returns (uint256) {
        return _count(_spendApproved[proposalId]);
    }

    /// @notice How many current guardians support fast-tracking `proposalId`.
    function emergencySupporters(uint256 proposalId) external view returns (uint256) {
        return _count(_emergencySupported[proposalId]);
    }

    /// @notice Whether the council fast-tracked `proposalId`.
    function isFastTracked(uint256 proposalId) external view returns (bool) {
        return _fastTracked[proposalId];
    }

    /// @inheritdoc IGuardianCouncil
    function threshold() external view returns (uint256) {
        return _threshold;
    }

    /// @notice The current guardians.
    function guardians() external view returns (address[] memory) {
        return _guardians;
    }

    /// @notice Whether `account` is a current guardian.
    function isGuardian(address account) external view returns (bool) {
        return _epochOf[account] != 0;
    }

    /// @notice The DAO the council serves.
    function dao() external view returns (address) {
        return address(_dao);
    }

    // ----- internals -----

    function _addGuardian(address guardian) private {
        if (guardian == address(0)) revert GuardianCouncilZeroAddress();
        if (_epochOf[guardian] != 0) revert GuardianCouncilAlreadyGuardian(guardian);
        if (_guardians.length == MAX_GUARDIANS) revert GuardianCouncilTooManyGuardians(MAX_GUARDIANS);
        _guardians.push(guardian);
        uint64 epoch = ++_lastEpoch;
        _epochOf[guardian] = epoch;
        emit GuardianAdded(guardian);
    }

    function _setThreshold(uint256 newThreshold) private {
        if (newThreshold == 0 || newThreshold > _guardians.length) {
            revert GuardianCouncilInvalidThreshold(newThreshold, _guardians.length);
        }
        uint256 previous = _threshold;
        _threshold = newThreshold;
        emit ThresholdSet(previous, newThreshold);
    }

    function _requireDAO() private view returns (IDAOCore core) {
        core = _dao;
        if (address(core) == address(0)) revert GuardianCouncilDAONotSet();
    }

    /// @dev Whether the caller (a current guardian) has a mark of their current epoch in `marks`.
    function _isMarked(mapping(address => uint64) storage marks) private view returns (bool) {
        return marks[msg.sender] == _epochOf[msg.sender];
    }

    /// @dev Counts current guardians with a mark of their current epoch (at most MAX_GUARDIANS).
    function _count(mapping(address => uint64) storage marks) private view returns (uint256 count) {
        uint256 length = _guardians.length;
        for (uint256 i; i < length; ++i) {
            address guardian = _guardians[i];
            if (marks[guardian] == _epochOf[guardian]) {
                // Cannot overflow: bounded by MAX_GUARDIANS.
                unchecked {
                    ++count;
                }
            }
        }
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {IDAOCore} from "./IDAOCore.sol";
import {IGuardianCouncil} from "./IGuardianCouncil.sol";

/// @title GuardianCouncil
/// @notice M-of-N council of guardians. It co-signs TREASURY_SPEND proposals (DAOCore will
/// not queue one without M approvals), fast-tracks emergency HELP_REQUEST proposals (the
/// M-th guardian's support triggers `DAOCore.fastTrack`), and makes calls that M guardians
/// confirmed (e.g. `HelpDesk.emergencyRelease`, for which the council holds GUARDIAN_ROLE).
/// @dev Owned by the DAO's timelock: membership and threshold change only through governance.
/// Approvals are counted over the *current* guardians, so removing a guardian also removes
/// their approvals.
contract GuardianCouncil is Ownable, IGuardianCouncil {
    uint256 public constant MAX_GUARDIANS = 20;

    address[] private _guardians;
    mapping(address account => bool) private _isGuardian;
    uint256 private _threshold;
    IDAOCore private _dao;
    mapping(uint256 proposalId => mapping(address guardian => bool)) private _spendApproved;
    mapping(uint256 proposalId => mapping(address guardian => bool)) private _emergencySupported;
    mapping(uint256 proposalId => bool) private _fastTracked;
    mapping(bytes32 actionId => mapping(address guardian => bool)) private _actionConfirmed;
    mapping(bytes32 actionId => bool) private _actionExecuted;

    event GuardianAdded(address indexed guardian);
    event GuardianRemoved(address indexed guardian);
    event ThresholdSet(uint256 previousThreshold, uint256 newThreshold);
    event DAOSet(address indexed previousDAO, address indexed newDAO);
    /// @notice `guardian` approved treasury spend `proposalId`; `approvals` now count.
    event TreasurySpendApproved(uint256 indexed proposalId, address indexed guardian, uint256 approvals);
    /// @notice `guardian` supported fast-tracking `proposalId`; `supporters` now count.
    event EmergencySupported(uint256 indexed proposalId, address indexed guardian, uint256 supporters);
    /// @notice `guardian` confirmed calling `target` with `data` (action `actionId`); `confirmations` now count.
    event ActionConfirmed(
        bytes32 indexed actionId, address indexed guardian, address indexed target, bytes data, uint256 confirmations
    );
    /// @notice Action `actionId` reached the threshold and its call to `target` succeeded, returning `result`.
    event ActionExecuted(bytes32 indexed actionId, address indexed target, bytes result);

    error GuardianCouncilNotGuardian(address account);
    error GuardianCouncilZeroAddress();
    error GuardianCouncilAlreadyGuardian(address account);
    error GuardianCouncilTooManyGuardians(uint256 max);
    error GuardianCouncilInvalidThreshold(uint256 threshold, uint256 guardians);
    error GuardianCouncilDAONotSet();
    error GuardianCouncilNotTreasurySpend(uint256 proposalId);
    error GuardianCouncilAlreadyApproved(uint256 proposalId, address guardian);
    error GuardianCouncilAlreadySupported(uint256 proposalId, address guardian);
    error GuardianCouncilAlreadyFastTracked(uint256 proposalId);
    error GuardianCouncilAlreadyConfirmed(bytes32 actionId, address guardian);
    error GuardianCouncilActionAlreadyExecuted(bytes32 actionId);

    modifier onlyGuardian() {
        if (!_isGuardian[msg.sender]) revert GuardianCouncilNotGuardian(msg.sender);
        _;
    }

    constructor(address initialOwner, address[] memory initialGuardians, uint256 initialThreshold)
        Ownable(initialOwner)
    {
        for (uint256 i; i < initialGuardians.length; ++i) {
            _addGuardian(initialGuardians[i]);
        }
        _setThreshold(initialThreshold);
    }

    // ----- membership (governance) -----

    /// @notice Point the council at the DAO it serves. Owner only.
    function setDAO(address newDAO) external onlyOwner {
        if (newDAO == address(0)) revert GuardianCouncilZeroAddress();
        address previous = address(_dao);
        _dao = IDAOCore(newDAO);
        emit DAOSet(previous, newDAO);
    }

    function addGuardian(address guardian) external onlyOwner {
        _addGuardian(guardian);
    }

    /// @notice Remove `guardian`; the threshold must still be reachable afterwards.
    function removeGuardian(address guardian) external onlyOwner {
        if (!_isGuardian[guardian]) revert GuardianCouncilNotGuardian(guardian);
        uint256 last = _guardians.length - 1;
        if (_threshold > last) revert GuardianCouncilInvalidThreshold(_threshold, last);
        for (uint256 i; i < last; ++i) {
            if (_guardians[i] == guardian) {
                _guardians[i] = _guardians[last];
                break;
            }
        }
        _guardians.pop();
        _isGuardian[guardian] = false;
        emit GuardianRemoved(guardian);
    }

    function setThreshold(uint256 newThreshold) external onlyOwner {
        _setThreshold(newThreshold);
    }

    // ----- guardians' actions -----

    /// @notice Approve TREASURY_SPEND proposal `proposalId`.
    function approveTreasurySpend(uint256 proposalId) external onlyGuardian {
        IDAOCore core = _requireDAO();
        if (core.proposalType(proposalId) != IDAOCore.ProposalType.TREASURY_SPEND) {
            revert GuardianCouncilNotTreasurySpend(proposalId);
        }
        if (_spendApproved[proposalId][msg.sender]) revert GuardianCouncilAlreadyApproved(proposalId, msg.sender);
        _spendApproved[proposalId][msg.sender] = true;
        emit TreasurySpendApproved(proposalId, msg.sender, treasurySpendApprovals(proposalId));
    }

    /// @notice Support fast-tracking HELP_REQUEST `proposalId`; the supporter who reaches the
    /// threshold triggers `DAOCore.fastTrack`, which checks the proposal's type and state.
    function supportEmergency(uint256 proposalId) external onlyGuardian {
        IDAOCore core = _requireDAO();
        if (_fastTracked[proposalId]) revert GuardianCouncilAlreadyFastTracked(proposalId);
        if (_emergencySupported[proposalId][msg.sender]) {
            revert GuardianCouncilAlreadySupported(proposalId, msg.sender);
        }
        _emergencySupported[proposalId][msg.sender] = true;
        uint256 supporters = _count(_emergencySupported[proposalId]);
        emit EmergencySupported(proposalId, msg.sender, supporters);
        if (supporters >= _threshold) {
            _fastTracked[proposalId] = true;
            core.fastTrack(proposalId);
        }
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
        if (_actionConfirmed[actionId][msg.sender]) revert GuardianCouncilAlreadyConfirmed(actionId, msg.sender);
        _actionConfirmed[actionId][msg.sender] = true;
        uint256 confirmations = _count(_actionConfirmed[actionId]);
        emit ActionConfirmed(actionId, msg.sender, target, data, confirmations);
        if (confirmations >= _threshold) {
            // Marked before the call, so a re-entering confirmation cannot run it twice.
            _actionExecuted[actionId] = true;
            bytes memory result = Address.functionCall(target, data);
            emit ActionExecuted(actionId, target, result);
        }
    }

    function hashAction(address target, bytes calldata data, bytes32 salt) public pure returns (bytes32) {
        return keccak256(abi.encode(target, data, salt));
    }

    function actionConfirmations(bytes32 actionId) external view returns (uint256) {
        return _count(_actionConfirmed[actionId]);
    }

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

    function emergencySupporters(uint256 proposalId) external view returns (uint256) {
        return _count(_emergencySupported[proposalId]);
    }

    function isFastTracked(uint256 proposalId) external view returns (bool) {
        return _fastTracked[proposalId];
    }

    /// @inheritdoc IGuardianCouncil
    function threshold() external view returns (uint256) {
        return _threshold;
    }

    function guardians() external view returns (address[] memory) {
        return _guardians;
    }

    function isGuardian(address account) external view returns (bool) {
        return _isGuardian[account];
    }

    function dao() external view returns (address) {
        return address(_dao);
    }

    // ----- internals -----

    function _addGuardian(address guardian) private {
        if (guardian == address(0)) revert GuardianCouncilZeroAddress();
        if (_isGuardian[guardian]) revert GuardianCouncilAlreadyGuardian(guardian);
        if (_guardians.length == MAX_GUARDIANS) revert GuardianCouncilTooManyGuardians(MAX_GUARDIANS);
        _guardians.push(guardian);
        _isGuardian[guardian] = true;
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

    /// @dev Counts current guardians marked in `marks` (at most MAX_GUARDIANS reads).
    function _count(mapping(address => bool) storage marks) private view returns (uint256 count) {
        uint256 length = _guardians.length;
        for (uint256 i; i < length; ++i) {
            if (marks[_guardians[i]]) {
                // Cannot overflow: bounded by MAX_GUARDIANS.
                unchecked {
                    ++count;
                }
            }
        }
    }
}

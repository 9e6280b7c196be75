// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

import {ICarbonOffsetter} from "../carbon/ICarbonOffsetter.sol";

/// @title TestTCO2
/// @notice A TCO2-like carbon credit token for local and test chains: 18 decimals, 1e18 = one
/// tonne CO2e. Toucan-shaped: any holder retires its own credits with `retire` (which returns the
/// retirement event id) or `retireAndMintCertificate`, and Toucan's `Retired` event is emitted,
/// as on Toucan's TCO2. The admin mints inventory; the local `CarbonPool` (RETIRER_ROLE) burns
/// credits through `burnRetired` and numbers its own retirements. Never deployed on mainnet.
contract TestTCO2 is ICarbonOffsetter, ERC20, AccessControl {
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");
    bytes32 public constant RETIRER_ROLE = keccak256("RETIRER_ROLE");

    uint256 private _lastRetirementEventId;

    /// @notice The holder retired `amount` for `beneficiary` with a certificate request, as event `eventId`.
    event CertificateRequested(
        uint256 indexed eventId,
        address indexed retiringEntity,
        address indexed beneficiary,
        string retiringEntityString,
        string beneficiaryString,
        string retirementMessage
    );

    error TestTCO2ZeroAddress();
    error TestTCO2ZeroAmount();

    constructor(address admin) ERC20("Test Toucan Carbon Offset", "TCO2") {
        if (admin == address(0)) revert TestTCO2ZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(MINTER_ROLE, admin);
    }

    /// @notice Issue `amount` credits to `to`. Minter only.
    function mint(address to, uint256 amount) external onlyRole(MINTER_ROLE) {
        _mint(to, amount);
    }

    /// @notice Burn `amount` of `account`'s credits as retired. Retirer (the carbon pool) only.
    function burnRetired(address account, uint256 amount) external onlyRole(RETIRER_ROLE) {
        _burn(account, amount);
    }

    /// @inheritdoc ICarbonOffsetter
    function retire(uint256 amount) external returns (uint256 retirementEventId) {
        return _retire(amount);
    }

    /// @inheritdoc ICarbonOffsetter
    /// @dev Like Toucan, returns nothing; the event id is in `Retired` and `CertificateRequested`.
    function retireAndMintCertificate(
        string calldata retiringEntityString,
        address beneficiary,
        string calldata beneficiaryString,
        string calldata retirementMessage,
        uint256 amount
    ) external {
        uint256 eventId = _retire(amount);
        emit CertificateRequested(
            eventId,
            msg.sender,
            beneficiary,
            retiringEntityString,
            beneficiaryString,
            retirementMessage
        );
    }

    /// @notice The id of the latest retirement made through `retire` / `retireAndMintCertificate`.
    function lastRetirementEventId() external view returns (uint256) {
        return _lastRetirementEventId;
    }

    function _retire(uint256 amount) private returns (uint256 retirementEventId) {
        if (amount == 0) revert TestTCO2ZeroAmount();
        _burn(msg.sender, amount);
        retirementEventId = ++_lastRetirementEventId;
        emit Retired(msg.sender, amount, retirementEventId);
    }
}

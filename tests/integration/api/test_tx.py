"""POST /v1/tx/donate against anvil with HelpDesk deployed: the built transaction signs, mines and pays."""

import json
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from eth_typing import HexStr
from eth_utils import to_checksum_address
from litestar import Litestar
from litestar.testing import AsyncTestClient
from web3 import Web3
from web3.types import Wei

from api.app import create_app
from impactchain.devstack.anvil import DEV_PRIVATE_KEYS
from impactchain.devstack.ports import free_port
from impactchain.helpdesk import donate_calldata
from impactchain.registry import DeployedContract, DeploymentManifest, write_manifest
from impactchain.settings import Settings
from tests.support.chain import open_help_request

Client = AsyncTestClient[Litestar]

DONOR_KEY = DEV_PRIVATE_KEYS[1]
DONOR = Account.from_key(DONOR_KEY).address
QUANTITY_FIELDS = ("chainId", "value", "gas", "maxFeePerGas", "maxPriorityFeePerGas", "nonce", "type")


def _signable(tx: dict[str, Any]) -> dict[str, Any]:
    """The API's JSON-RPC form (0x-hex quantities) as the ints eth_account signs."""
    return {key: int(value, 16) if key in QUANTITY_FIELDS else value for key, value in tx.items()}


def _sign_and_send(w3: Web3, tx: dict[str, Any], private_key: str) -> Any:
    signed = Account.sign_transaction(_signable(tx), private_key)
    tx_hash = w3.eth.send_raw_transaction(signed.raw_transaction)
    return w3.eth.wait_for_transaction_receipt(tx_hash, timeout=30)


async def test_built_donation_signs_mines_and_funds_help_desk(
    chain: Web3, manifest: DeploymentManifest, client: Client
) -> None:
    help_desk = to_checksum_address(manifest.contract("HelpDesk").address)
    amount = 3 * 10**18 + 7
    escrow_before = chain.eth.get_balance(help_desk)

    response = await client.post("/v1/tx/donate", json={"from": DONOR, "amount": str(amount)})

    assert response.status_code == 200, response.text
    tx = response.json()
    assert set(tx) == {"from", "to", "data", *QUANTITY_FIELDS}
    assert tx["chainId"] == hex(31337)
    assert tx["from"] == DONOR
    assert tx["to"] == to_checksum_address(help_desk)
    assert tx["value"] == hex(amount)
    assert tx["type"] == "0x2"
    assert tx["nonce"] == hex(chain.eth.get_transaction_count(DONOR, "pending"))
    assert int(tx["maxFeePerGas"], 16) >= int(tx["maxPriorityFeePerGas"], 16) > 0

    receipt = _sign_and_send(chain, tx, DONOR_KEY)

    assert receipt["status"] == 1
    assert receipt["gasUsed"] <= int(tx["gas"], 16)
    assert chain.eth.get_balance(help_desk) == escrow_before + amount


async def test_next_build_uses_the_next_nonce(chain: Web3, manifest: DeploymentManifest, client: Client) -> None:
    body = {"from": DONOR, "amount": "1000"}
    first = (await client.post("/v1/tx/donate", json=body)).json()
    _sign_and_send(chain, first, DONOR_KEY)

    second = (await client.post("/v1/tx/donate", json=body)).json()

    assert int(second["nonce"], 16) == int(first["nonce"], 16) + 1
    assert _sign_and_send(chain, second, DONOR_KEY)["status"] == 1


def _flip_case_of_one_letter(address: str) -> str:
    index = next(i for i, char in enumerate(address) if i > 1 and char.isalpha())
    return address[:index] + address[index].swapcase() + address[index + 1 :]


BAD_INPUTS = [
    pytest.param({"from": "0x12", "amount": "1"}, "from", "40 hex digits", id="short-address"),
    pytest.param({"from": "alice.eth", "amount": "1"}, "from", "40 hex digits", id="not-an-address"),
    pytest.param({"from": _flip_case_of_one_letter(DONOR), "amount": "1"}, "from", "checksum invalid", id="checksum"),
    pytest.param({"from": 42, "amount": "1"}, "from", "Expected `str`", id="address-as-number"),
    pytest.param({"from": DONOR, "amount": "0"}, "amount", "greater than zero", id="zero"),
    pytest.param({"from": DONOR, "amount": "-1"}, "amount", "greater than zero", id="negative"),
    pytest.param({"from": DONOR, "amount": "1.5"}, "amount", "decimal point", id="fraction"),
    pytest.param({"from": DONOR, "amount": "abc"}, "amount", "decimal digits", id="letters"),
    pytest.param({"from": DONOR, "amount": "1e18"}, "amount", "exponent", id="exponent"),
    pytest.param({"from": DONOR, "amount": ""}, "amount", "empty", id="empty"),
    pytest.param({"from": DONOR, "amount": str(2**256)}, "amount", "2**256-1", id="over-uint256"),
    pytest.param({"from": DONOR, "amount": 10**18}, "amount", "Expected `str`", id="json-number"),
    pytest.param({"from": DONOR, "amount": 1.5}, "amount", "Expected `str`", id="json-float"),
    pytest.param({"from": DONOR}, "amount", "missing", id="missing-amount"),
    pytest.param({"amount": "1"}, "from", "missing", id="missing-from"),
]


@pytest.mark.parametrize(("body", "field", "says"), BAD_INPUTS)
async def test_bad_input_is_a_400_naming_the_field(
    chain: Web3, client: Client, body: dict[str, Any], field: str, says: str
) -> None:
    response = await client.post("/v1/tx/donate", json=body)

    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert [error["field"] for error in problem["errors"]] == [field]
    assert says in problem["errors"][0]["message"]


@pytest.mark.parametrize("body", [b"{not json", b"[]", b'"amount"'], ids=["malformed", "array", "string"])
async def test_body_that_is_not_an_object_is_a_400(chain: Web3, client: Client, body: bytes) -> None:
    response = await client.post("/v1/tx/donate", content=body, headers={"content-type": "application/json"})

    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_amount_beyond_a_fresh_address_balance_is_a_422_naming_amount(chain: Web3, client: Client) -> None:
    fresh = Account.create().address

    response = await client.post("/v1/tx/donate", json={"from": fresh, "amount": str(10**18)})

    assert response.status_code == 422, response.text
    problem = response.json()
    assert [error["field"] for error in problem["errors"]] == ["amount"]
    assert f"holds 0 wei but needs {10**18} wei" in problem["errors"][0]["message"]


async def test_amount_that_leaves_nothing_for_gas_is_a_422_naming_amount(chain: Web3, client: Client) -> None:
    account = Account.create()
    amount = 10**15
    funding = chain.eth.send_transaction({"from": chain.eth.accounts[0], "to": account.address, "value": Wei(amount)})
    chain.eth.wait_for_transaction_receipt(funding)

    response = await client.post("/v1/tx/donate", json={"from": account.address, "amount": str(amount)})

    assert response.status_code == 422, response.text
    message = response.json()["errors"][0]["message"]
    assert f"holds {amount} wei but needs" in message
    needed = int(message.split("needs ")[1].split(" wei")[0])
    assert needed > amount


# PUSH4 <selector>, PUSH1 0xe0, SHL, PUSH1 0, MSTORE, PUSH1 4, PUSH1 0, REVERT: reverts with the custom error.
def _always_reverting_code(selector: str) -> str:
    runtime = f"63{selector.removeprefix('0x')}60e01b60005260046000fd"
    init = f"60{len(runtime) // 2:02x}600c60003960{len(runtime) // 2:02x}6000f3"
    return "0x" + init + runtime


async def test_reverting_contract_is_a_422_with_the_decoded_error(
    chain: Web3, manifest: DeploymentManifest, settings: Settings, tmp_path: Path
) -> None:
    help_desk = manifest.contract("HelpDesk")
    selector = "0x" + Web3.keccak(text="HelpDeskZeroAmount()")[:4].hex().removeprefix("0x")
    deploy = chain.eth.send_transaction(
        {"from": chain.eth.accounts[0], "data": HexStr(_always_reverting_code(selector))}
    )
    reverter = chain.eth.wait_for_transaction_receipt(deploy)["contractAddress"]
    # A manifest whose HelpDesk (same ABI) always reverts: the API must report it, not build a doomed tx.
    contracts = {"HelpDesk": DeployedContract(address=reverter, block=0, abi=help_desk.abi)}
    write_manifest(tmp_path, DeploymentManifest(chain_id=31337, contracts=contracts))

    async with AsyncTestClient(app=create_app(settings.model_copy(update={"deployments_dir": tmp_path}))) as client:
        response = await client.post("/v1/tx/donate", json={"from": DONOR, "amount": "1"})

    assert response.status_code == 422, response.text
    assert "HelpDeskZeroAmount()" in response.json()["detail"]


async def test_missing_manifest_is_a_503(chain: Web3, settings: Settings, tmp_path: Path) -> None:
    async with AsyncTestClient(app=create_app(settings.model_copy(update={"deployments_dir": tmp_path}))) as client:
        donate = await client.post("/v1/tx/donate", json={"from": DONOR, "amount": "1"})
        contracts = await client.get("/v1/contracts")

    for response in (donate, contracts):
        assert response.status_code == 503, response.text
        assert response.json()["type"] == "urn:impactchain:problem:manifest-unavailable"
        assert str(tmp_path) not in response.text


async def test_unreachable_node_is_a_503(settings: Settings) -> None:
    offline = settings.model_copy(update={"rpc_url": f"http://127.0.0.1:{free_port()}"})

    async with AsyncTestClient(app=create_app(offline)) as client:
        response = await client.post("/v1/tx/donate", json={"from": DONOR, "amount": "1"})

    assert response.status_code == 503
    assert response.json()["type"] == "urn:impactchain:problem:chain-unavailable"


async def test_contracts_lists_help_desk_from_the_manifest(manifest: DeploymentManifest, client: Client) -> None:
    response = await client.get("/v1/contracts")

    assert response.status_code == 200
    body = response.json()
    assert body["chainId"] == 31337
    help_desk = body["contracts"]["HelpDesk"]
    assert help_desk["address"] == to_checksum_address(manifest.contract("HelpDesk").address)
    assert help_desk["block"] == manifest.contract("HelpDesk").block
    assert {"type": "function", "name": "donate"}.items() <= next(
        entry for entry in help_desk["abi"] if entry.get("name") == "donate"
    ).items()
    assert json.loads(response.text) == body


async def test_donation_to_an_unknown_request_is_a_422_naming_the_contract_error(chain: Web3, client: Client) -> None:
    response = await client.post("/v1/tx/donate", json={"from": DONOR, "amount": "1000", "requestId": 99})

    assert response.status_code == 422, response.text
    assert "HelpDeskUnknownRequest(requestId=99)" in response.json()["detail"]


async def test_donation_to_an_open_request_targets_it(
    chain: Web3, manifest: DeploymentManifest, client: Client
) -> None:
    request_id = open_help_request(chain, manifest, DEV_PRIVATE_KEYS[4])

    response = await client.post("/v1/tx/donate", json={"from": DONOR, "amount": "1000", "requestId": request_id})

    assert response.status_code == 200, response.text
    assert response.json()["data"] == donate_calldata(request_id)

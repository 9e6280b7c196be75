"""Transaction requests and unsigned transactions on the wire.

Every integer in an unsigned transaction is a 0x-prefixed hex quantity without leading zeros,
as JSON-RPC and wallets' `eth_sendTransaction` take them; wei amounts in requests are decimal
strings of digits, as everywhere else in this API.
"""

from typing import Annotated

import msgspec

from api.kit.addresses import ADDRESS_PATTERN
from api.kit.schemas import Address, CamelStruct
from api.tx.service import Eip1559Transaction
from impactchain.db.types import UINT256_MAX

HexQuantity = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^0x(0|[1-9a-f][0-9a-f]*)$",
        description="An integer as a JSON-RPC quantity: 0x-prefixed hex, no leading zeros.",
        examples=["0x7a69"],
    ),
]


class DonateRequest(msgspec.Struct, forbid_unknown_fields=True):
    """Who donates, how much, and to which help request."""

    sender: Annotated[
        str,
        msgspec.Meta(
            description="The donor's address (EIP-55 checksum if mixed-case).",
            examples=["0x70997970C51812dc3A010C7d01b50e0d17dc79C8"],
            # Checked by the service (its messages say what is wrong); documented here.
            extra_json_schema={"extra": {"pattern": ADDRESS_PATTERN}},
        ),
    ] = msgspec.field(name="from")
    amount: Annotated[
        str,
        msgspec.Meta(
            description="Wei to donate, as a string of decimal digits: > 0 and < 2**256.",
            examples=["1000000000000000000"],
            extra_json_schema={"extra": {"pattern": r"^[0-9]+$"}},
        ),
    ]
    request_id: Annotated[
        int,
        msgspec.Meta(
            ge=0,
            description="The help request to donate to (a uint256); 0 (the default) is the general fund.",
            extra_json_schema={"extra": {"maximum": UINT256_MAX}},
        ),
    ] = msgspec.field(default=0, name="requestId")


class UnsignedTransaction(CamelStruct):
    """An EIP-1559 transaction for a wallet to sign as is; every integer is a 0x-hex JSON-RPC quantity."""

    chain_id: HexQuantity
    sender: Address = msgspec.field(name="from")
    to: Address
    data: str
    value: HexQuantity
    gas: HexQuantity
    max_fee_per_gas: HexQuantity
    max_priority_fee_per_gas: HexQuantity
    nonce: HexQuantity
    type: HexQuantity

    @classmethod
    def from_domain(cls, tx: Eip1559Transaction) -> "UnsignedTransaction":
        return cls(
            chain_id=hex(tx.chain_id),
            sender=tx.sender,
            to=tx.to,
            data=tx.data,
            value=hex(tx.value),
            gas=hex(tx.gas),
            max_fee_per_gas=hex(tx.max_fee_per_gas),
            max_priority_fee_per_gas=hex(tx.max_priority_fee_per_gas),
            nonce=hex(tx.nonce),
            type=hex(tx.type),
        )

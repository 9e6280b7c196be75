"""HTTP endpoints that build transactions for the client to sign."""

from litestar import Controller, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK

from api.kit.problems import problem_responses
from api.tx.deps import TX_DEPENDENCIES
from api.tx.schemas import DonateRequest, UnsignedTransaction
from api.tx.service import TxService


class TxController(Controller):
    path = "/v1/tx"
    tags = ("transactions",)
    dependencies = TX_DEPENDENCIES

    @post("/donate", status_code=HTTP_200_OK, responses=problem_responses(400, 413, 422, 429, 503))
    async def build_donate(
        self, tx_service: NamedDependency[TxService], data: JSONBody[DonateRequest]
    ) -> UnsignedTransaction:
        """Build an unsigned EIP-1559 `HelpDesk.donate(requestId)`; integers are 0x-hex JSON-RPC quantities."""
        return UnsignedTransaction.from_domain(
            await tx_service.build_donation(data.sender, data.amount, data.request_id)
        )

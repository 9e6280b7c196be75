"""The event store's keyed expressions: the SQL its indexes are built on and its reads must spell
the same way. Apart from the models (impactchain/models/events.py builds the indexes from them)
so that the indexer and the API read them without loading SQLModel and SQLAlchemy, about a
quarter of a second of every start."""

# The event store's index by (contract name, event) is keyed by a 64-bit hash of the kind instead
# of the two names: an initial sync builds it at the head, and a b-tree of a million bigint keys
# builds in about 40% of the time of one led by two names (migration 0013). A read names the same
# expression (`kind_key`). It is exact: `event_kinds` holds every kind stored with its hash, unique,
# so a kind whose hash another kind has is refused when first written, never mixed up in a read.
# (Parenthesized as PostgreSQL prints it back, which the schema check compares with.)
KIND_KEY = "hashtextextended((contract_name || '.') || event, 0)"

# Arguments that are quantities (amounts, running totals, vote weights) are not in the arguments'
# index: nearly every value is distinct, so they were most of its entries and of its build
# (1,000,000 events: 4.0 s with them, 1.0 s without). Filtering events by an exact wei amount
# is not a read anyone makes; `/v1/events?arg=` refuses these names and says so.
QUANTITY_ARGUMENTS = (
    "amount",
    "value",
    "weight",
    "donorTotal",
    "maticEquivalent",
    "previousVotes",
    "newVotes",
    "carbonAmount",
    "raisedEquivalent",
    "approvedTotal",
    "releasedTotal",
    "goalAmount",
    "credits",
    "payment",
    "deposit",
    "extraAmount",
    "refundAmount",
    "vestedAmount",
    "totalWithdrawn",
    "totalFunded",
    "allocated",
)
# The indexed expression; a read must spell it exactly so (`ARGS_KEY @> …`) for the index to serve.
ARGS_KEY = "(args - '{" + ",".join(QUANTITY_ARGUMENTS) + "}'::text[])"


def kind_key(param: str) -> str:
    """SQL: the row's kind is `param`'s, a placeholder holding `kind(contract_name, event)`, by the index.
    The hash alone: a second condition on the names would be exact too, but PostgreSQL would take
    the two as independent and expect far fewer rows than the kind has (a sort of all of them
    instead of reading the index backwards: seconds instead of a tenth of a millisecond)."""
    return f"{KIND_KEY} = hashtextextended({param}, 0)"


# The kinds of the events stored, listed (for stores filled by other means than the indexer: a
# bench's generated rows).
LIST_EVENT_KINDS = (
    f"INSERT INTO event_kinds SELECT contract_name, event, {KIND_KEY} "  # noqa: S608 - constant SQL
    "FROM (SELECT DISTINCT contract_name, event FROM contract_events) AS stored ON CONFLICT DO NOTHING"
)


def kind(contract_name: str, event: str) -> str:
    """The value `kind_key` compares with (names are identifiers: no dot in either)."""
    return f"{contract_name}.{event}"

"""The direct reads split a query string exactly as Litestar (urllib's parse_qsl) does."""

from urllib.parse import parse_qsl

from hypothesis import given
from hypothesis import strategies as st

from api.kit.direct_reads import query_pairs

# The characters that shape a query string, and a few ordinary ones.
_QUERY = st.text(alphabet="&=%+;ab0x:- ", max_size=40)


@given(_QUERY)
def test_pairs_are_parse_qsl_with_blank_values_kept(query: str) -> None:
    assert query_pairs(query) == parse_qsl(query, keep_blank_values=True, separator="&")


def test_plain_pairs_are_split_by_hand_and_escapes_are_undone() -> None:
    assert query_pairs("donor=0xAb&limit=5&&flag&a=b=c") == [
        ("donor", "0xAb"),
        ("limit", "5"),
        ("flag", ""),
        ("a", "b=c"),
    ]
    assert query_pairs("arg=voter%3A0x1+2") == [("arg", "voter:0x1 2")]
